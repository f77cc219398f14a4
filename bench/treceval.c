/* treceval.c - TREC qrels and run parsing, and trec_eval's measures
 * (contract and definitions: treceval.h). libc only.
 *
 * Both files are read whole into one owned buffer and split in place; an
 * entry points into that buffer. Qrels entries are kept sorted by (qid,
 * docid) so a judgment is a binary search; run entries are sorted once into
 * trec_eval's ranking order: qid, then score descending, then docid
 * descending. */
#include "treceval.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    const char *qid, *doc; /* NUL-terminated, in the owner's buffer */
    long rel;              /* qrels */
    double score;          /* run */
    size_t line;           /* 1-based, for messages and the qrels' query order */
};

struct block {             /* one query's entries: [lo, hi) */
    const char *qid;
    size_t lo, hi;
    size_t first_line;
};

struct table {
    char *text;
    struct entry *e;
    size_t n;
    struct block *q;       /* qrels: first-appearance order; run: sorted by qid */
    size_t n_q;
};

struct treceval_qrels { struct table t; };
struct treceval_run { struct table t; };

static void say(char *msg, size_t cap, const char *fmt, ...)
{
    if (!msg || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Splits line s (NUL-terminated, no '\n') into at most max fields in place;
 * returns the number of fields found (counting up to max + 1, so callers
 * can tell "too many"). */
static size_t split_fields(char *s, char **f, size_t max)
{
    size_t n = 0;
    while (*s) {
        while (is_space(*s))
            s++;
        if (!*s)
            break;
        if (n < max)
            f[n] = s;
        n++;
        while (*s && !is_space(*s))
            s++;
        if (*s)
            *s++ = '\0';
        if (n > max)
            break;
    }
    return n;
}

static void table_free(struct table *t)
{
    free(t->text);
    free(t->e);
    free(t->q);
}

static int cmp_qid_doc(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->qid, y->qid);
    return c ? c : strcmp(x->doc, y->doc);
}

/* trec_eval's ranking: score descending, then docid in decreasing strcmp
 * order (comp_sim_docno in form_res_rels.c); grouped by qid first. */
static int cmp_rank(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->qid, y->qid);
    if (c)
        return c;
    if (x->score > y->score)
        return -1;
    if (x->score < y->score)
        return 1;
    return strcmp(y->doc, x->doc);
}

static int cmp_block_line(const void *a, const void *b)
{
    const struct block *x = a, *y = b;
    return (x->first_line > y->first_line) - (x->first_line < y->first_line);
}

/* Groups sorted entries into blocks of equal qid. */
static int make_blocks(struct table *t)
{
    size_t n_q = 0;
    for (size_t i = 0; i < t->n; i++)
        if (i == 0 || strcmp(t->e[i].qid, t->e[i - 1].qid) != 0)
            n_q++;
    t->q = calloc(n_q ? n_q : 1, sizeof *t->q);
    if (!t->q)
        return TRECEVAL_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        if (i == 0 || strcmp(t->e[i].qid, t->e[i - 1].qid) != 0) {
            struct block *b = &t->q[t->n_q++];
            b->qid = t->e[i].qid;
            b->lo = i;
            b->first_line = t->e[i].line;
        }
        struct block *b = &t->q[t->n_q - 1];
        b->hi = i + 1;
        if (t->e[i].line < b->first_line)
            b->first_line = t->e[i].line;
    }
    return 0;
}

/* After sorting by (qid, doc): the first docid given twice for one query. */
static int check_duplicates(const struct table *t, const char *name, const char *what, char *msg,
                            size_t cap)
{
    for (size_t i = 1; i < t->n; i++) {
        const struct entry *a = &t->e[i - 1], *b = &t->e[i];
        if (strcmp(a->qid, b->qid) == 0 && strcmp(a->doc, b->doc) == 0) {
            size_t l1 = a->line < b->line ? a->line : b->line;
            size_t l2 = a->line < b->line ? b->line : a->line;
            say(msg, cap, "%s:%zu: docid '%s' appears twice for query '%s' in the %s (also line %zu)",
                name, l2, b->doc, b->qid, what, l1);
            return TRECEVAL_EFORMAT;
        }
    }
    return 0;
}

/* Reads the lines of text into t: qrels when is_run is 0, else a run. */
static int parse(struct table *t, const char *text, size_t len, const char *name, int is_run,
                 char *msg, size_t cap)
{
    memset(t, 0, sizeof *t);
    if (!(t->text = malloc(len + 1)))
        return TRECEVAL_ENOMEM;
    if (len)
        memcpy(t->text, text, len);
    t->text[len] = '\0';
    size_t n_lines = 1;
    for (size_t i = 0; i < len; i++)
        n_lines += t->text[i] == '\n';
    if (!(t->e = calloc(n_lines, sizeof *t->e)))
        return TRECEVAL_ENOMEM;
    const size_t want = is_run ? 6 : 4;
    char *s = t->text, *end = t->text + len;
    for (size_t line = 1; s < end; line++) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *stop = nl ? nl : end;
        *stop = '\0';
        char *p = s;
        s = stop + 1;
        if (memchr(p, '\0', (size_t)(stop - p)) != NULL) {
            say(msg, cap, "%s:%zu: a NUL byte in the line", name, line);
            return TRECEVAL_EFORMAT;
        }
        while (is_space(*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char *f[7];
        size_t nf = split_fields(p, f, is_run ? 7 : 4);
        if (nf < want || (!is_run && nf > want)) {
            say(msg, cap, "%s:%zu: expected %s, found %zu field%s", name, line,
                is_run ? "'qid Q0 docid rank score tag' (6 fields)"
                       : "'qid iter docid rel' (4 fields)",
                nf, nf == 1 ? "" : "s");
            return TRECEVAL_EFORMAT;
        }
        struct entry *e = &t->e[t->n++];
        e->qid = f[0];
        e->doc = f[2];
        e->line = line;
        char *num_end;
        errno = 0;
        if (is_run) {
            e->score = strtod(f[4], &num_end);
            if (errno || *num_end || num_end == f[4] || !isfinite(e->score)) {
                say(msg, cap, "%s:%zu: the score '%s' is not a finite number", name, line, f[4]);
                return TRECEVAL_EFORMAT;
            }
        } else {
            e->rel = strtol(f[3], &num_end, 10);
            if (errno || *num_end || num_end == f[3]) {
                say(msg, cap, "%s:%zu: the relevance '%s' is not an integer", name, line, f[3]);
                return TRECEVAL_EFORMAT;
            }
        }
    }
    qsort(t->e, t->n, sizeof *t->e, cmp_qid_doc);
    int rc = check_duplicates(t, name, is_run ? "run" : "qrels", msg, cap);
    if (rc)
        return rc;
    if (is_run)
        qsort(t->e, t->n, sizeof *t->e, cmp_rank);
    if ((rc = make_blocks(t)) != 0)
        return rc;
    if (!is_run) /* the qrels' blocks in the order the queries first appear */
        qsort(t->q, t->n_q, sizeof *t->q, cmp_block_line);
    return 0;
}

static int load(struct table *t, const char *path, int is_run, char *msg, size_t cap)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) {
        say(msg, cap, "cannot open %s: %s", path, strerror(errno));
        return TRECEVAL_EIO;
    }
    char *data = NULL;
    size_t len = 0, size = 0;
    int rc = 0;
    for (;;) {
        if (len == size) {
            size_t nsize = size ? 2 * size : 65536;
            char *nd = realloc(data, nsize);
            if (!nd) {
                rc = TRECEVAL_ENOMEM;
                break;
            }
            data = nd;
            size = nsize;
        }
        size_t got = fread(data + len, 1, size - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                say(msg, cap, "cannot read %s: %s", path, strerror(errno));
                rc = TRECEVAL_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (rc == 0)
        rc = parse(t, data, len, path, is_run, msg, cap);
    free(data);
    return rc;
}

int treceval_qrels_parse(treceval_qrels **out, const char *text, size_t len, const char *name,
                         char *msg, size_t cap)
{
    *out = NULL;
    treceval_qrels *q = malloc(sizeof *q);
    if (!q)
        return TRECEVAL_ENOMEM;
    int rc = parse(&q->t, text, len, name ? name : "qrels", 0, msg, cap);
    if (rc) {
        treceval_qrels_free(q);
        return rc;
    }
    *out = q;
    return 0;
}

int treceval_qrels_load(treceval_qrels **out, const char *path, char *msg, size_t cap)
{
    *out = NULL;
    treceval_qrels *q = malloc(sizeof *q);
    if (!q)
        return TRECEVAL_ENOMEM;
    int rc = load(&q->t, path, 0, msg, cap);
    if (rc) {
        treceval_qrels_free(q);
        return rc;
    }
    *out = q;
    return 0;
}

void treceval_qrels_free(treceval_qrels *q)
{
    if (!q)
        return;
    table_free(&q->t);
    free(q);
}

int treceval_run_parse(treceval_run **out, const char *text, size_t len, const char *name,
                       char *msg, size_t cap)
{
    *out = NULL;
    treceval_run *r = malloc(sizeof *r);
    if (!r)
        return TRECEVAL_ENOMEM;
    int rc = parse(&r->t, text, len, name ? name : "run", 1, msg, cap);
    if (rc) {
        treceval_run_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int treceval_run_load(treceval_run **out, const char *path, char *msg, size_t cap)
{
    *out = NULL;
    treceval_run *r = malloc(sizeof *r);
    if (!r)
        return TRECEVAL_ENOMEM;
    int rc = load(&r->t, path, 1, msg, cap);
    if (rc) {
        treceval_run_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void treceval_run_free(treceval_run *r)
{
    if (!r)
        return;
    table_free(&r->t);
    free(r);
}

/* ---- evaluation ------------------------------------------------------------------------------ */

/* The run's block for qid, or NULL (run blocks are sorted by qid). */
static const struct block *find_block(const struct table *t, const char *qid)
{
    size_t lo = 0, hi = t->n_q;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->q[mid].qid, qid);
        if (c == 0)
            return &t->q[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The judgment of doc within qrels block b; found is 0 for an unjudged doc. */
static long judgment(const struct table *t, const struct block *b, const char *doc, int *found)
{
    size_t lo = b->lo, hi = b->hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->e[mid].doc, doc);
        if (c == 0) {
            *found = 1;
            return t->e[mid].rel;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return 0;
}

static int cmp_long_desc(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x < y) - (x > y);
}

static int eval_query(treceval_query *m, const struct table *qr, const struct block *qb,
                      const struct table *run)
{
    memset(m, 0, sizeof *m);
    m->qid = qb->qid;
    /* the ideal ranking: the positive judgments, best first */
    size_t n_judged = qb->hi - qb->lo, n_pos = 0;
    long *gains = malloc((n_judged ? n_judged : 1) * sizeof *gains);
    if (!gains)
        return TRECEVAL_ENOMEM;
    for (size_t i = qb->lo; i < qb->hi; i++) {
        if (qr->e[i].rel >= 1)
            m->n_rel++;
        if (qr->e[i].rel > 0)
            gains[n_pos++] = qr->e[i].rel;
    }
    qsort(gains, n_pos, sizeof *gains, cmp_long_desc);
    double idcg = 0;
    for (size_t i = 0; i < n_pos && i < TRECEVAL_NDCG_CUT; i++)
        idcg += (double)gains[i] / log2((double)(i + 2));
    free(gains);

    const struct block *rb = find_block(run, qb->qid);
    size_t n = rb ? rb->hi - rb->lo : 0;
    if (n > TRECEVAL_DEPTH)
        n = TRECEVAL_DEPTH;
    m->n_ret = n;
    double dcg = 0, sum_prec = 0;
    size_t rel_at_p = 0, rel_at_r = 0;
    for (size_t i = 0; i < n; i++) {
        int found;
        long rel = judgment(qr, qb, run->e[rb->lo + i].doc, &found);
        if (i < TRECEVAL_NDCG_CUT && rel > 0)
            dcg += (double)rel / log2((double)(i + 2));
        if (rel >= 1) {
            m->n_rel_ret++;
            sum_prec += (double)m->n_rel_ret / (double)(i + 1);
            if (i < TRECEVAL_P_CUT)
                rel_at_p++;
            if (i < TRECEVAL_RECALL_CUT)
                rel_at_r++;
        }
    }
    m->ndcg10 = idcg > 0 ? dcg / idcg : 0;
    m->ap = m->n_rel ? sum_prec / (double)m->n_rel : 0;
    m->p10 = (double)rel_at_p / TRECEVAL_P_CUT;
    m->recall100 = m->n_rel ? (double)rel_at_r / (double)m->n_rel : 0;
    return 0;
}

int treceval_evaluate(treceval_result *out, const treceval_qrels *q, const treceval_run *r,
                      char *msg, size_t cap)
{
    memset(out, 0, sizeof *out);
    out->mean.qid = "all";
    if (!q || !r) {
        say(msg, cap, "treceval_evaluate: no qrels or no run");
        return TRECEVAL_EFORMAT;
    }
    const struct table *qt = &q->t;
    out->queries = calloc(qt->n_q ? qt->n_q : 1, sizeof *out->queries);
    if (!out->queries) {
        say(msg, cap, "out of memory");
        return TRECEVAL_ENOMEM;
    }
    treceval_query *mean = &out->mean;
    for (size_t i = 0; i < qt->n_q; i++) {
        treceval_query *m = &out->queries[i];
        int rc = eval_query(m, qt, &qt->q[i], &r->t);
        if (rc) {
            say(msg, cap, "out of memory");
            treceval_result_free(out);
            return rc;
        }
        out->n_queries++;
        mean->n_rel += m->n_rel;
        mean->n_ret += m->n_ret;
        mean->n_rel_ret += m->n_rel_ret;
        mean->ndcg10 += m->ndcg10;
        mean->ap += m->ap;
        mean->p10 += m->p10;
        mean->recall100 += m->recall100;
    }
    if (out->n_queries) {
        double n = (double)out->n_queries;
        mean->ndcg10 /= n;
        mean->ap /= n;
        mean->p10 /= n;
        mean->recall100 /= n;
    }
    return 0;
}

void treceval_result_free(treceval_result *r)
{
    if (!r)
        return;
    free(r->queries);
    memset(r, 0, sizeof *r);
    r->mean.qid = "all";
}
