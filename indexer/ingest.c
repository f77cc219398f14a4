/* ingest.c - reader thread -> parse/analyze workers -> in-order sink
 * (see ingest.h).
 *
 * Batches live in a ring. The reader fills batch `seq` (slot seq % ring)
 * once the sink has emptied it; workers claim filled batches in sequence
 * order and analyze them; the sink thread takes batch after batch in order.
 * One mutex guards the ring; the work inside a batch happens unlocked.
 *
 * Memory: a batch holds at most BATCH_BYTES of records plus the one record
 * that crossed the line. A record larger than BATCH_BYTES is analyzed alone:
 * the reader publishes it once every batch before it has been consumed and
 * starts no new batch until it has been too. Slots give back buffers larger
 * than SLOT_KEEP once the sink is done with them, so a few big documents do
 * not leave every slot of the ring holding their size. */
#include "ingest.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "buf.h"
#include "err.h"

/* A batch's analysis takes up to 16 times its bytes ("a b c ..." texts), and
 * 2 * workers + 2 batches are in flight: 256 KiB keeps that near 8 MiB per
 * batch while a batch still holds dozens of news articles. */
#define BATCH_DOCS 64
#define BATCH_BYTES ((size_t)256 << 10)
/* What a slot may keep between documents (its record, parsed fields, terms
 * and tokens): a news article of a few pages stays under it. */
#define SLOT_KEEP ((size_t)64 << 10)

struct slot {
    record r;
    doc d;
    buf terms;
    ingest_tok *toks;
    size_t n_toks, cap_toks;
    uint32_t field_len[N_FIELDS];
    hash128 fprint;
    buf norm; /* scratch for the fingerprint */
    int ok; /* 1: a document; 0: skipped */
};

enum batch_state { B_EMPTY, B_FILLED, B_WORKING, B_DONE };

struct batch {
    struct slot slots[BATCH_DOCS];
    size_t n;
    enum batch_state state;
};

struct pipeline {
    const ingest_opts *o;
    input *in;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *ring;
    size_t n_ring;
    uint64_t n_filled;    /* batches the reader has filled */
    uint64_t n_claimed;   /* batches workers have claimed */
    uint64_t n_consumed;  /* batches the sink has finished */
    uint64_t big_end;     /* 1 + the last batch that holds a big record */
    int reader_done;
    int quit;             /* stop everything (error, sink stop, or o->stop) */
    int err;              /* first negative error from reader or a worker */
    input_stats progress; /* reader's counters, copied under mu after each batch */
    input_stats *worker_stats;
};

int ingest_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* --- analysis of one record ------------------------------------------------ */

struct tok_sink {
    struct slot *s;
    uint8_t field;
};

static int push_token(void *ctx, const token *t)
{
    struct tok_sink *ts = ctx;
    struct slot *s = ts->s;
    if (s->n_toks == s->cap_toks) {
        size_t cap = s->cap_toks ? s->cap_toks * 2 : 1024;
        ingest_tok *p = realloc(s->toks, cap * sizeof *p);
        if (!p)
            return LEDE_ENOMEM;
        s->toks = p;
        s->cap_toks = cap;
    }
    if (s->terms.len > UINT32_MAX - ANALYZE_MAX_TERM)
        return LEDE_ELIMIT;
    if (s->terms.cap - s->terms.len <= t->term_len) {
        int rc = buf_reserve(&s->terms, t->term_len < 4096 ? 4096 : t->term_len);
        if (rc)
            return rc;
    }
    ingest_tok *k = &s->toks[s->n_toks++];
    k->key_hash = ingest_key_hash_copy(ts->field, s->terms.data + s->terms.len, t->term,
                                       t->term_len);
    k->term_off = (uint32_t)s->terms.len;
    k->term_len = (uint16_t)t->term_len;
    k->pos = t->pos;
    k->field = ts->field;
    s->terms.len += t->term_len;
    return 0;
}

static const enum doc_field field_source[N_FIELDS] = {
    [FIELD_TITLE] = DOC_TITLE,
    [FIELD_BODY] = DOC_BODY,
    [FIELD_SOURCE] = DOC_SOURCE,
    [FIELD_SECTION] = DOC_SECTION,
};

/* The fingerprint of the analyzed document (see ingest_doc.fprint). Tokens
 * are grouped by field, title first, then body. */
static int fingerprint(struct slot *s)
{
    buf *b = &s->norm;
    buf_clear(b);
    int rc = buf_reserve(b, s->terms.len + s->n_toks + 1);
    if (rc)
        return rc;
    char *out = b->data;
    size_t n = 0;
    int title_done = 0;
    for (size_t i = 0; i < s->n_toks; i++) {
        const ingest_tok *t = &s->toks[i];
        if (t->field != FIELD_TITLE && t->field != FIELD_BODY)
            continue;
        if (t->field == FIELD_BODY && !title_done) {
            out[n++] = 1;
            title_done = 1;
        }
        memcpy(out + n, s->terms.data + t->term_off, t->term_len);
        n += t->term_len;
        out[n++] = 0;
    }
    if (!title_done)
        out[n++] = 1;
    s->fprint = hash128_of(out, n);
    return 0;
}

/* Parses and analyzes s->r into s. Returns 0 (s->ok says whether a document
 * came out) or a negative error. */
static int process_slot(struct slot *s, analyzer *a, const input_opts *io, input_stats *st)
{
    s->n_toks = 0;
    buf_clear(&s->terms);
    int rc = record_parse(&s->r, &s->d, io, st);
    if (rc < 0)
        return rc;
    s->ok = rc == 1;
    if (!s->ok)
        return 0;
    for (int f = 0; f < N_FIELDS; f++) {
        enum doc_field df = field_source[f];
        struct tok_sink ts = {s, (uint8_t)f};
        rc = analyzer_run(a, s->d.f[df], s->d.f_len[df], 0, push_token, &ts, &s->field_len[f]);
        if (rc == LEDE_ELIMIT) {
            /* Cannot happen below the 64 MiB document limit; with a raised
             * limit, a field past 4 GiB of text is refused outright. */
            if (io->report)
                io->report(io->report_ctx, INPUT_TOO_LARGE, s->r.file.data, s->r.line,
                           "document too large to analyze (4 GiB of terms)");
            st->n_problem[INPUT_TOO_LARGE]++;
            s->ok = 0;
            return 0;
        }
        if (rc)
            return rc;
    }
    return fingerprint(s);
}

/* Bytes the slot holds: its record, parsed fields, terms and tokens. */
static size_t slot_mem(const struct slot *s)
{
    size_t n = s->r.bytes.cap + s->terms.cap + s->norm.cap + s->cap_toks * sizeof *s->toks;
    for (int k = 0; k < DOC_N_FIELDS; k++)
        n += s->d.f_len[k];
    return n;
}

static void to_ingest_doc(const struct slot *s, ingest_doc *out)
{
    out->d = &s->d;
    out->terms = s->terms.data;
    out->terms_len = s->terms.len;
    out->toks = s->toks;
    out->n_toks = s->n_toks;
    memcpy(out->field_len, s->field_len, sizeof out->field_len);
    out->fprint = s->fprint;
    out->file = s->r.file.data;
    out->line = s->r.line;
    out->mem = slot_mem(s);
}

static void slot_init(struct slot *s)
{
    memset(s, 0, sizeof *s);
    record_init(&s->r);
    doc_init(&s->d);
}

static void slot_free(struct slot *s)
{
    record_free(&s->r);
    doc_free(&s->d);
    buf_free(&s->terms);
    buf_free(&s->norm);
    free(s->toks);
}

/* Gives back the slot's buffers when it holds more than SLOT_KEEP. */
static void slot_trim(struct slot *s)
{
    if (slot_mem(s) <= SLOT_KEEP)
        return;
    buf_free(&s->r.bytes);
    doc_reset(&s->d);
    buf_free(&s->terms);
    buf_free(&s->norm);
    free(s->toks);
    s->toks = NULL;
    s->n_toks = s->cap_toks = 0;
}

static int stopped(const ingest_opts *o)
{
    return o->stop && *o->stop;
}

static void add_stats(input_stats *into, const input_stats *from)
{
    into->n_files += from->n_files;
    into->n_records += from->n_records;
    into->bytes_read += from->bytes_read;
    into->raw_bytes_read += from->raw_bytes_read;
    for (int i = 0; i < INPUT_N_PROBLEMS; i++)
        into->n_problem[i] += from->n_problem[i];
}

/* --- one thread: everything inline ------------------------------------------ */

static int run_inline(const ingest_opts *o, input *in, ingest_sink_fn sink, void *ctx,
                      input_stats *parse_stats)
{
    analyzer *a = NULL;
    analyzer_opts ao = {o->stem_language};
    int rc = analyzer_new(&a, &ao);
    if (rc)
        return rc;
    struct slot s;
    slot_init(&s);
    uint64_t n = 0;
    while (!stopped(o)) {
        rc = input_next_record(in, &s.r);
        if (rc <= 0)
            break;
        rc = process_slot(&s, a, &o->input, parse_stats);
        if (rc < 0)
            break;
        if (s.ok) {
            ingest_doc idoc;
            to_ingest_doc(&s, &idoc);
            rc = sink(ctx, &idoc);
            if (rc)
                break;
        }
        slot_trim(&s);
        if (o->progress && (++n & 63) == 0)
            o->progress(o->progress_ctx, input_get_stats(in), input_total_bytes(in));
    }
    if (rc == 0 && stopped(o))
        rc = 1;
    slot_free(&s);
    analyzer_free(a);
    return rc;
}

/* --- several threads ------------------------------------------------------- */

static void *reader_main(void *arg)
{
    struct pipeline *p = arg;
    for (uint64_t seq = 0;; seq++) {
        pthread_mutex_lock(&p->mu);
        while (!p->quit && (seq - p->n_consumed >= p->n_ring || p->n_consumed < p->big_end))
            pthread_cond_wait(&p->cv, &p->mu);
        int quit = p->quit;
        pthread_mutex_unlock(&p->mu);
        if (quit)
            break;
        struct batch *b = &p->ring[seq % p->n_ring];
        size_t bytes = 0;
        int rc = 0, big = 0;
        b->n = 0;
        while (b->n < BATCH_DOCS && bytes < BATCH_BYTES && !stopped(p->o)) {
            rc = input_next_record(p->in, &b->slots[b->n].r);
            if (rc <= 0)
                break;
            big = b->slots[b->n].r.bytes.len > BATCH_BYTES;
            bytes += b->slots[b->n].r.bytes.len;
            b->n++;
        }
        pthread_mutex_lock(&p->mu);
        if (big) { /* analyzed alone: after every batch before it */
            while (!p->quit && p->n_consumed < seq)
                pthread_cond_wait(&p->cv, &p->mu);
            p->big_end = seq + 1;
        }
        if (rc < 0 && !p->err)
            p->err = rc;
        p->progress = *input_get_stats(p->in);
        if (b->n > 0) {
            b->state = B_FILLED;
            p->n_filled = seq + 1;
        }
        int done = rc <= 0 || stopped(p->o);
        if (done)
            p->reader_done = 1;
        if (rc < 0)
            p->quit = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (done)
            break;
    }
    return NULL;
}

struct worker {
    struct pipeline *p;
    input_stats *st;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pipeline *p = w->p;
    analyzer *a = NULL;
    analyzer_opts ao = {p->o->stem_language};
    int rc = analyzer_new(&a, &ao);
    pthread_mutex_lock(&p->mu);
    if (rc) {
        if (!p->err)
            p->err = rc;
        p->quit = 1;
        pthread_cond_broadcast(&p->cv);
    }
    for (;;) {
        while (!p->quit && p->n_claimed == p->n_filled && !p->reader_done)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->quit || p->n_claimed == p->n_filled)
            break;
        uint64_t seq = p->n_claimed++;
        struct batch *b = &p->ring[seq % p->n_ring];
        b->state = B_WORKING;
        pthread_mutex_unlock(&p->mu);
        rc = 0;
        for (size_t i = 0; i < b->n && rc == 0; i++)
            rc = process_slot(&b->slots[i], a, &p->o->input, w->st);
        pthread_mutex_lock(&p->mu);
        b->state = B_DONE;
        if (rc < 0) {
            if (!p->err)
                p->err = rc;
            p->quit = 1;
        }
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    analyzer_free(a);
    return NULL;
}

static int run_threads(const ingest_opts *o, input *in, int n_threads, ingest_sink_fn sink,
                       void *ctx, input_stats *parse_stats)
{
    struct pipeline p;
    memset(&p, 0, sizeof p);
    p.o = o;
    p.in = in;
    p.n_ring = (size_t)n_threads * 2 + 2;
    p.ring = calloc(p.n_ring, sizeof *p.ring);
    struct worker *workers = calloc((size_t)n_threads, sizeof *workers);
    input_stats *wstats = calloc((size_t)n_threads, sizeof *wstats);
    pthread_t *tids = calloc((size_t)n_threads + 1, sizeof *tids);
    int n_started = 0, rc = 0;
    if (!p.ring || !workers || !wstats || !tids) {
        rc = LEDE_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < p.n_ring; i++)
        for (size_t j = 0; j < BATCH_DOCS; j++)
            slot_init(&p.ring[i].slots[j]);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);

    if (pthread_create(&tids[0], NULL, reader_main, &p) != 0) {
        rc = LEDE_ENOMEM;
        goto destroy;
    }
    n_started = 1;
    for (int i = 0; i < n_threads; i++) {
        workers[i].p = &p;
        workers[i].st = &wstats[i];
        if (pthread_create(&tids[1 + i], NULL, worker_main, &workers[i]) != 0)
            break;
        n_started++;
    }
    if (n_started == 1) { /* no worker: give up cleanly */
        pthread_mutex_lock(&p.mu);
        p.quit = 1;
        p.err = LEDE_ENOMEM;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
    }

    /* The sink: this thread takes finished batches in order. */
    for (uint64_t seq = 0; rc == 0; seq++) {
        pthread_mutex_lock(&p.mu);
        struct batch *b = &p.ring[seq % p.n_ring];
        while (!p.quit && !(seq < p.n_filled && b->state == B_DONE) &&
               !(p.reader_done && seq >= p.n_filled))
            pthread_cond_wait(&p.cv, &p.mu);
        int end = p.quit || (p.reader_done && seq >= p.n_filled);
        input_stats snap = p.progress;
        pthread_mutex_unlock(&p.mu);
        if (end)
            break;
        for (size_t i = 0; i < b->n && rc == 0; i++) {
            if (!b->slots[i].ok)
                continue;
            if (stopped(o)) {
                rc = 1;
                break;
            }
            ingest_doc idoc;
            to_ingest_doc(&b->slots[i], &idoc);
            rc = sink(ctx, &idoc);
        }
        if (o->progress)
            o->progress(o->progress_ctx, &snap, input_total_bytes(in));
        for (size_t i = 0; i < b->n; i++)
            slot_trim(&b->slots[i]);
        pthread_mutex_lock(&p.mu);
        b->state = B_EMPTY;
        p.n_consumed = seq + 1;
        if (rc)
            p.quit = 1;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
    }
    pthread_mutex_lock(&p.mu);
    p.quit = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (int i = 0; i < n_started; i++)
        pthread_join(tids[i], NULL);
    if (rc == 0 && p.err)
        rc = p.err;
    if (rc == 0 && stopped(o))
        rc = 1;
    for (int i = 0; i < n_threads; i++)
        add_stats(parse_stats, &wstats[i]);
destroy:
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    for (size_t i = 0; i < p.n_ring; i++)
        for (size_t j = 0; j < BATCH_DOCS; j++)
            slot_free(&p.ring[i].slots[j]);
cleanup:
    free(p.ring);
    free(workers);
    free(wstats);
    free(tids);
    return rc;
}

int ingest_run(const ingest_opts *o, ingest_sink_fn sink, void *ctx, input_stats *st)
{
    memset(st, 0, sizeof *st);
    const char *lang = o->stem_language;
    if (lang && *lang && strcmp(lang, "none") != 0) {
        analyzer *probe = NULL;
        analyzer_opts ao = {lang};
        int rc = analyzer_new(&probe, &ao);
        analyzer_free(probe);
        if (rc)
            return rc;
    }
    input *in = NULL;
    int rc = input_open(&in, o->paths, o->n_paths, &o->input);
    if (rc)
        return rc;
    int n_threads = o->n_threads > 0 ? o->n_threads : ingest_default_threads();
    input_stats parse_stats;
    memset(&parse_stats, 0, sizeof parse_stats);
    if (n_threads == 1)
        rc = run_inline(o, in, sink, ctx, &parse_stats);
    else
        rc = run_threads(o, in, n_threads - 1, sink, ctx, &parse_stats);
    *st = *input_get_stats(in);
    add_stats(st, &parse_stats);
    input_close(in);
    return rc;
}
