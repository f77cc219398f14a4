/* dump.c - human-readable dump of an index (see dump.h). */
#include "dump.h"

#include <inttypes.h>
#include <string.h>

#include "analyze.h"
#include "date.h"
#include "err.h"
#include "field.h"
#include "ixread.h"

static void dump_term_postings(FILE *out, const ixseg *g, const term_info *ti)
{
    postings *p = NULL;
    if (postings_open(&p, g->seg, ti, 1)) {
        fprintf(out, "    (postings cannot be opened)\n");
        return;
    }
    for (uint32_t d = postings_next(p); d != POSTINGS_END; d = postings_next(p)) {
        docrec r;
        uint32_t n;
        const uint32_t *pos = postings_positions(p, &n);
        if (segread_doc(g->seg, d, &r) || !pos)
            break;
        fprintf(out, "    doc %" PRIu32 " id %.*s%s tf %" PRIu32 " pos", g->base + d, (int)r.id_len,
                r.id, deletions_has(&g->del, d) ? " (deleted)" : "", n);
        for (uint32_t j = 0; j < n; j++)
            fprintf(out, " %" PRIu32, pos[j]);
        fputc('\n', out);
    }
    if (postings_error(p))
        fprintf(out, "    (postings corrupt)\n");
    postings_close(p);
}

int index_dump(const char *dir, const char *term, FILE *out, char *msg, size_t cap)
{
    ixread *r = NULL;
    int rc = ixread_open(&r, dir, msg, cap);
    if (rc)
        return rc;
    fprintf(out, "index %s\ngeneration %" PRIu64 "\nstem %s\nblock_size %" PRIu32
                 "\nsegments %zu\ndocuments %" PRIu64 "\nlive %" PRIu64 "\n",
            dir, r->man.generation, r->man.stem_language[0] ? r->man.stem_language : "none",
            r->man.block_size, r->n_segs, r->n_docs, r->n_live);
    /* the key(s) to show */
    int field = -1;
    char word[ANALYZE_MAX_TERM + 1];
    size_t word_len = 0;
    if (term) {
        const char *colon = strchr(term, ':');
        const char *w = term;
        if (colon) {
            field = field_by_name(term, (size_t)(colon - term));
            if (field < 0) {
                snprintf(msg, cap, "unknown field in '%s' (title, body, source, section)", term);
                ixread_close(r);
                return LEDE_EINVAL;
            }
            w = colon + 1;
        }
        analyzer *a = NULL;
        analyzer_opts ao = {r->man.stem_language};
        rc = analyzer_new(&a, &ao);
        if (rc == 0)
            word_len = analyzer_term(a, w, strlen(w), word, sizeof word);
        analyzer_free(a);
        if (rc || word_len == 0) {
            snprintf(msg, cap, "'%s' has no term to look up", term);
            ixread_close(r);
            return rc ? rc : LEDE_EINVAL;
        }
        fprintf(out, "term %.*s\n", (int)word_len, word);
    }
    for (size_t i = 0; i < r->n_segs && rc == 0; i++) {
        const ixseg *g = &r->segs[i];
        const segmeta *m = segread_meta(g->seg);
        fprintf(out, "segment %06" PRIu32 " base %" PRIu32 " docs %" PRIu32 " deleted %" PRIu32
                     " terms %" PRIu64 " postings %" PRIu64 " positions %" PRIu64 "\n",
                m->number, g->base, m->n_docs, g->del.n_deleted, m->n_terms, m->n_postings,
                m->n_positions);
        if (term) {
            for (int f = 0; f < N_FIELDS; f++) {
                if (field >= 0 && f != field)
                    continue;
                uint8_t key[FORMAT_MAX_KEY];
                size_t kl = format_key(key, (uint8_t)f, word, word_len);
                term_info ti;
                int found = kl ? dict_lookup(g->seg, key, kl, &ti) : 0;
                if (found < 0) {
                    fprintf(out, "  (dictionary corrupt)\n");
                    break;
                }
                if (!found)
                    continue;
                fprintf(out, "  %s:%.*s df %" PRIu32 " cf %" PRIu64 "\n", field_name((enum field)f),
                        (int)word_len, word, ti.df, ti.cf);
                dump_term_postings(out, g, &ti);
            }
            continue;
        }
        dict_iter it;
        rc = dict_seek(g->seg, &it, NULL, 0);
        while (rc == 0) {
            int k = dict_next(&it);
            if (k < 0)
                fprintf(out, "  (dictionary corrupt)\n");
            if (k <= 0)
                break;
            fprintf(out, "  %s:%.*s df %" PRIu32 " cf %" PRIu64 "\n",
                    field_name((enum field)(it.info.field < N_FIELDS ? it.info.field : 0)),
                    (int)it.key_len - 1, (const char *)it.key, it.info.df, it.info.cf);
        }
    }
    ixread_close(r);
    return rc;
}

int index_list_ids(const char *dir, FILE *out, char *msg, size_t cap)
{
    ixread *r = NULL;
    int rc = ixread_open(&r, dir, msg, cap);
    for (size_t i = 0; rc == 0 && i < r->n_segs; i++) {
        const ixseg *g = &r->segs[i];
        for (uint32_t d = 0; d < g->ms.n_docs; d++) {
            if (deletions_has(&g->del, d))
                continue;
            docrec rec;
            rc = segread_doc(g->seg, d, &rec);
            if (rc) {
                snprintf(msg, cap, "index corrupt: %s: document table", segread_path(g->seg));
                break;
            }
            fprintf(out, "%.*s\n", (int)rec.id_len, rec.id);
        }
    }
    ixread_close(r);
    return rc;
}
