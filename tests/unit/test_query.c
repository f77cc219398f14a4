/* test_query.c - unit tests for searcher/query.h: the query language of
 * docs/QUERY.md (issue 4 "Query language", issue 5 free-text mode).
 *
 * Most cases compare query_render's canonical form (described in
 * docs/QUERY.md "Canonical form") with a value worked out from the grammar,
 * the analyzer's rules (docs/ANALYSIS.md) and calendar facts; a few inspect
 * the tree directly (kinds, occurs, columns, positions, seconds). Error
 * cases check the code, the 1-based column and the message. */
#include "t.h"

#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "field.h"
#include "query.h"
#include "stopwords.h"

/* ---- helpers --------------------------------------------------------------------------------- */

static analyzer *plain_analyzer(void)
{
    static analyzer *a;
    if (!a) {
        analyzer_opts o = {NULL};
        if (analyzer_new(&a, &o) != 0) {
            fprintf(stderr, "analyzer_new failed\n");
            exit(1);
        }
    }
    return a;
}

static analyzer *english_analyzer(void)
{
    static analyzer *a;
    if (!a) {
        analyzer_opts o = {"english"};
        if (analyzer_new(&a, &o) != 0) {
            fprintf(stderr, "analyzer_new(english) failed\n");
            exit(1);
        }
    }
    return a;
}

/* The same parse with query_parse_in, in an arena that already holds
 * something (as the searcher's may): the same rendering or error. */
static void check_in_arena(analyzer *a, const char *text, size_t len, const query_opts *o,
                           const char *want)
{
    static arena mem;
    static char got[1 << 16];
    char *before = arena_strndup(&mem, "before", 6);
    qnode *q = (qnode *)(uintptr_t)1;
    query_error e;
    int rc = query_parse_in(&mem, &q, text, len, a, o, &e);
    if (rc) {
        if (q != NULL)
            T_FAIL("query_parse_in failed (%d) but left *out set", rc);
        snprintf(got, sizeof got, "error %d at %u: %s", rc, (unsigned)e.column, e.message);
    } else {
        buf b = {0};
        if (query_render(q, &b) != 0)
            T_FAIL("query_render failed");
        snprintf(got, sizeof got, "%s", b.data ? b.data : "");
        buf_free(&b);
    }
    if (strcmp(got, want) != 0)
        T_FAIL("\"%.*s\": query_parse_in gave %s, query_parse %s", (int)len, text, got, want);
    if (!before || strcmp(before, "before") != 0)
        T_FAIL("query_parse_in overwrote what the arena held");
    arena_reset(&mem);
}

/* Parses text[0..len) and returns its rendering, or "error <rc> at <col>:
 * <message>" (a static buffer, valid until the next call). Checks that
 * query_parse_in agrees. */
static const char *rq_full(analyzer *a, const char *text, size_t len, int any, int free_text)
{
    static char out[1 << 16];
    qnode *q = (qnode *)(uintptr_t)1;
    query_error e;
    query_opts o = {.any_default = any, .free_text = free_text};
    int rc = query_parse(&q, text, len, a, &o, &e);
    if (rc) {
        if (q != NULL)
            T_FAIL("query_parse failed (%d) but left *out set", rc);
        snprintf(out, sizeof out, "error %d at %u: %s", rc, (unsigned)e.column, e.message);
        check_in_arena(a, text, len, &o, out);
        return out;
    }
    buf b = {0};
    if (query_render(q, &b) != 0) {
        T_FAIL("query_render failed");
        snprintf(out, sizeof out, "(render failed)");
    } else {
        snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    }
    if (q->occur != Q_MUST)
        T_FAIL("the root of \"%.*s\" has occur %d, expected MUST", (int)len, text, (int)q->occur);
    buf_free(&b);
    query_free(q);
    check_in_arena(a, text, len, &o, out);
    return out;
}

static const char *rq(const char *text)
{
    return rq_full(plain_analyzer(), text, strlen(text), 0, 0);
}

static const char *rq_any(const char *text)
{
    return rq_full(plain_analyzer(), text, strlen(text), 1, 0);
}

static const char *rq_free(const char *text)
{
    return rq_full(plain_analyzer(), text, strlen(text), 0, 1);
}

/* Parses; returns the tree (NULL on error, with *e filled). */
static qnode *parse_tree(const char *text, int any, query_error *e)
{
    qnode *q = NULL;
    query_opts o = {.any_default = any};
    if (query_parse(&q, text, strlen(text), plain_analyzer(), &o, e) != 0)
        return NULL;
    return q;
}

static int perr(const char *text, size_t len, int any, int free_text, query_error *e)
{
    qnode *q = NULL;
    query_opts o = {.any_default = any, .free_text = free_text};
    int rc = query_parse(&q, text, len, plain_analyzer(), &o, e);
    query_free(q);
    return rc;
}

/* Expects error `want` at column `col` with a message containing `sub`. */
#define CHECK_RC_LEN(want, text, len, any, col, sub)                                     \
    do {                                                                                 \
        query_error e_;                                                                  \
        memset(&e_, 0, sizeof e_);                                                       \
        int rc_ = perr((text), (len), (any), 0, &e_);                                    \
        if (rc_ != (want) || e_.column != (uint32_t)(col) ||                             \
            strstr(e_.message, (sub)) == NULL)                                           \
            T_FAIL("query \"%.*s\": got rc %d column %u \"%s\"; expected rc %d column " \
                   "%u and a message containing \"%s\"",                                 \
                   (int)((len) > 60 ? 60 : (len)), (text), rc_, (unsigned)e_.column,     \
                   e_.message, (want), (unsigned)(col), (sub));                          \
    } while (0)
/* A malformed query: LEDE_EQUERY. */
#define CHECK_ERR_LEN(text, len, any, col, sub)                                          \
    CHECK_RC_LEN(LEDE_EQUERY, (text), (len), (any), (col), (sub))
#define CHECK_ERR(text, col, sub) CHECK_ERR_LEN((text), strlen(text), 0, (col), (sub))
/* A query over a limit (docs/LIMITS.md): LEDE_ELIMIT. */
#define CHECK_LIMIT_LEN(text, len, any, col, sub)                                        \
    CHECK_RC_LEN(LEDE_ELIMIT, (text), (len), (any), (col), (sub))
#define CHECK_LIMIT(text, col, sub) CHECK_LIMIT_LEN((text), strlen(text), 0, (col), (sub))

#define DATE_2019 "date:[2019-01-01T00:00:00Z..2019-12-31T23:59:59Z]"

/* ---- terms and the default operator ---------------------------------------------------------- */

TEST(test_query__single_term)
{
    CHECK_STR(rq("putin"), "putin");
    CHECK_STR(rq("  Putin  "), "putin");
    CHECK_STR(rq("PUTIN"), "putin");
    CHECK_STR(rq("Erdoğan"), "erdogan");
    CHECK_STR(rq("Pyongyang's"), "pyongyang");
    CHECK_STR(rq("don't"), "don't");
    CHECK_STR(rq_any("putin"), "putin");
}

TEST(test_query__default_and)
{
    CHECK_STR(rq("griffith observatory"), "(+griffith +observatory)");
    CHECK_STR(rq("a b c"), "(+a +b +c)");
    CHECK_STR(rq("Putin Kim summit"), "(+putin +kim +summit)");
}

TEST(test_query__any_default)
{
    CHECK_STR(rq_any("griffith observatory"), "(griffith observatory)");
    CHECK_STR(rq_any("+griffith observatory"), "(+griffith observatory)");
    CHECK_STR(rq_any("a b -c"), "(a b -c)");
    /* AND makes both of its sides required, whatever the default. */
    CHECK_STR(rq_any("a AND b"), "(+a +b)");
    CHECK_STR(rq_any("a AND b c"), "(+a +b c)");
    CHECK_STR(rq_any("c a AND b"), "(c +a +b)");
}

TEST(test_query__plus_minus)
{
    CHECK_STR(rq("+griffith +observatory"), "(+griffith +observatory)");
    CHECK_STR(rq("+putin -trump"), "(+putin -trump)");
    CHECK_STR(rq("putin -trump"), "(+putin -trump)");
    CHECK_STR(rq("-trump putin"), "(-trump +putin)");
    CHECK_STR(rq("+\"the who\" +uk"), "(+\"the who\" +uk)");
    CHECK_STR(rq("-\"the who\" uk"), "(-\"the who\" +uk)");
    /* Inside a word, + and - are not operators. */
    CHECK_STR(rq("e-mail"), "\"e mail\"");
    CHECK_STR(rq("c++"), "c");
}

TEST(test_query__repeated_terms_kept)
{
    CHECK_STR(rq("putin putin"), "(+putin +putin)");
    CHECK_STR(rq_any("knock knock"), "(knock knock)");
}

/* ---- AND, OR, NOT and their precedence -------------------------------------------------------- */

TEST(test_query__and_or)
{
    CHECK_STR(rq("a AND b"), "(+a +b)");
    CHECK_STR(rq("a OR b"), "(a b)");
    CHECK_STR(rq("a OR b OR c"), "(a b c)");
    CHECK_STR(rq("a AND b AND c"), "(+a +b +c)");
    CHECK_STR(rq_any("a OR b"), "(a b)");
}

TEST(test_query__precedence_and_over_or)
{
    CHECK_STR(rq("a AND b OR c"), "((+a +b) c)");
    CHECK_STR(rq("a OR b AND c"), "(a (+b +c))");
    CHECK_STR(rq("a AND b OR c AND d"), "((+a +b) (+c +d))");
    CHECK_STR(rq_any("a AND b OR c"), "((+a +b) c)");
}

TEST(test_query__juxtaposition_binds_like_and)
{
    /* With the AND default, juxtaposition is AND: (a b) OR c. */
    CHECK_STR(rq("a b OR c"), "((+a +b) c)");
    CHECK_STR(rq("a OR b c"), "(a (+b +c))");
    CHECK_STR(rq("a b OR c d"), "((+a +b) (+c +d))");
    /* With any_default, juxtaposition is OR, so everything is one OR. */
    CHECK_STR(rq_any("a b OR c"), "(a b c)");
    CHECK_STR(rq_any("a OR b c"), "(a b c)");
}

TEST(test_query__not)
{
    CHECK_STR(rq("a NOT b"), "(+a -b)");
    CHECK_STR(rq("a AND NOT b"), "(+a -b)");
    CHECK_STR(rq("NOT b a"), "(-b +a)");
    CHECK_STR(rq("a !b"), "(+a -b)");
    CHECK_STR(rq("a ! b"), "(+a -b)");
    /* NOT binds tighter than AND and OR. */
    CHECK_STR(rq("NOT a OR b"), "((+* -a) b)");
    CHECK_STR(rq("a AND NOT b OR c"), "((+a -b) c)");
    CHECK_STR(rq("NOT (a b)"), "(+* -(+a +b))");
    CHECK_STR(rq("NOT (a OR b) c"), "(-a -b +c)");
    CHECK_STR(rq_any("a b NOT c"), "(a b -c)");
}

TEST(test_query__only_exclusions_match_everything_else)
{
    CHECK_STR(rq("-putin"), "(+* -putin)");
    CHECK_STR(rq("NOT putin"), "(+* -putin)");
    CHECK_STR(rq("-putin -trump"), "(+* -putin -trump)");
    CHECK_STR(rq_any("-putin"), "(+* -putin)");
    /* In an OR, an exclusion is "everything except" on its own. */
    CHECK_STR(rq("a OR -b"), "(a (+* -b))");
    CHECK_STR(rq("a OR NOT b"), "(a (+* -b))");

    query_error e;
    qnode *q = parse_tree("-putin", 0, &e);
    REQUIRE(q);
    CHECK_INT(q->kind, Q_BOOL);
    CHECK_INT(q->occur, Q_MUST);
    REQUIRE(q->n_kids == 2);
    CHECK_INT(q->kids[0]->kind, Q_ALL);
    CHECK_INT(q->kids[0]->occur, Q_MUST);
    CHECK_INT(q->kids[1]->kind, Q_TERM);
    CHECK_INT(q->kids[1]->occur, Q_MUST_NOT);
    CHECK_STR(q->kids[1]->terms[0], "putin");
    query_free(q);
}

TEST(test_query__operators_only_in_upper_case)
{
    CHECK_STR(rq("a and b"), "(+a +and +b)");
    CHECK_STR(rq("a or b"), "(+a +or +b)");
    CHECK_STR(rq("not a"), "(+not +a)");
    CHECK_STR(rq("a And b"), "(+a +and +b)");
    CHECK_STR(rq_any("war and peace"), "(war and peace)");
    /* Words that merely start with an operator are words. */
    CHECK_STR(rq("ANDROID ORACLE NOTE"), "(+android +oracle +note)");
}

TEST(test_query__operator_aliases)
{
    CHECK_STR(rq("a && b"), "(+a +b)");
    CHECK_STR(rq("a || b"), "(a b)");
    CHECK_STR(rq("a && b || c"), "((+a +b) c)");
    CHECK_STR(rq("a !b"), "(+a -b)");
}

/* ---- groups ---------------------------------------------------------------------------------- */

TEST(test_query__groups)
{
    CHECK_STR(rq("(a)"), "a");
    CHECK_STR(rq("((((a))))"), "a");
    CHECK_STR(rq("(a OR b) c"), "(+(a b) +c)");
    CHECK_STR(rq("c (a OR b)"), "(+c +(a b))");
    CHECK_STR(rq("(a OR b) AND (c OR d)"), "(+(a b) +(c d))");
    CHECK_STR(rq("+(a OR b) -(c d)"), "(+(a b) -(+c +d))");
    CHECK_STR(rq("(a b) OR (c d)"), "((+a +b) (+c +d))");
    CHECK_STR(rq("a (b (c OR d))"), "(+a +b +(c d))");
    CHECK_STR(rq("(a)(b)"), "(+a +b)");
    CHECK_STR(rq_any("(a b) c"), "(a b c)");
    CHECK_STR(rq_any("(a OR b) AND c"), "(+(a b) +c)");
}

TEST(test_query__simplification_keeps_meaning)
{
    /* +(+a +b) is +a +b; (a (b c)) is (a b c); -(a OR b) is -a -b. */
    CHECK_STR(rq("x (a b)"), "(+x +a +b)");
    CHECK_STR(rq("x OR (a OR b)"), "(x a b)");
    CHECK_STR(rq("x -(a OR b)"), "(+x -a -b)");
    /* +(everything except b) next to a required clause is just -b ... */
    CHECK_STR(rq("a (-b)"), "(+a -b)");
    /* ... but not next to optional ones only: there it keeps them optional,
     * so it stays a group (with any_default, a lone optional word is
     * required anyway, so it becomes +a -b; two optional words stay
     * optional among themselves). */
    CHECK_STR(rq_any("a (-b)"), "(-b +a)");
    CHECK_STR(rq_any("a c (-b)"), "(-b +(a c))");
    /* An OR of exclusions stays a group that matches everything else. */
    CHECK_STR(rq("x OR (-a)"), "(x (+* -a))");
}

/* ---- word analysis --------------------------------------------------------------------------- */

TEST(test_query__words_split_into_phrases)
{
    CHECK_STR(rq("jong-un"), "\"jong un\"");
    CHECK_STR(rq("Kim Jong-un"), "(+kim +\"jong un\")");
    CHECK_STR(rq("U.S."), "\"u s\"");
    CHECK_STR(rq("21:18"), "\"21 18\"");
    CHECK_STR(rq("10:30"), "\"10 30\"");
    CHECK_STR(rq("21:18:40"), "\"21 18 40\"");
    CHECK_STR(rq("3.5"), "\"3 5\"");
    CHECK_STR(rq("北京"), "\"北 京\"");

    query_error e;
    qnode *q = parse_tree("jong-un", 0, &e);
    REQUIRE(q);
    CHECK_INT(q->kind, Q_PHRASE);
    REQUIRE(q->n_terms == 2);
    CHECK_STR(q->terms[0], "jong");
    CHECK_STR(q->terms[1], "un");
    CHECK_INT(q->rel_pos[0], 0);
    CHECK_INT(q->rel_pos[1], 1);
    CHECK_INT(q->slop, 0);
    CHECK_INT(q->field, QFIELD_DEFAULT);
    query_free(q);
}

TEST(test_query__dropped_long_token_leaves_a_gap)
{
    char text[300];
    char big[201];
    memset(big, 'a', 200);
    big[200] = '\0';
    snprintf(text, sizeof text, "x-%s-y", big);
    CHECK_STR(rq(text), "\"x ? y\"");
    query_error e;
    qnode *q = parse_tree(text, 0, &e);
    REQUIRE(q);
    CHECK_INT(q->kind, Q_PHRASE);
    REQUIRE(q->n_terms == 2);
    CHECK_INT(q->rel_pos[0], 0);
    CHECK_INT(q->rel_pos[1], 2);
    query_free(q);
    /* Only the long token: nothing searchable in that word. */
    CHECK_STR(rq(big), "error -6 at 1: no searchable term at column 1: the query has only "
                       "punctuation or words too long to index; add a word");
    snprintf(text, sizeof text, "putin %s", big);
    CHECK_STR(rq(text), "putin");
    snprintf(text, sizeof text, "\"a %s b\"", big);
    CHECK_STR(rq(text), "\"a ? b\"");
}

TEST(test_query__punctuation_only_clauses_are_dropped)
{
    CHECK_STR(rq("putin ??? kim"), "(+putin +kim)");
    CHECK_STR(rq("putin &"), "putin");
    CHECK_STR(rq("a OR ..."), "a");
    CHECK_STR(rq("\"\" putin"), "putin");
    CHECK_STR(rq("(...) putin"), "putin");
    CHECK_STR(rq("-... putin"), "putin");
    CHECK_ERR("???", 1, "no searchable term");
    CHECK_ERR("... , ;", 1, "no searchable term");
    CHECK_ERR("\"...\"", 1, "no searchable term");
    CHECK_ERR("-???", 1, "no searchable term");
}

/* ---- phrases --------------------------------------------------------------------------------- */

TEST(test_query__phrases)
{
    CHECK_STR(rq("\"korean peninsula\""), "\"korean peninsula\"");
    CHECK_STR(rq("\"Korean  Peninsula!\""), "\"korean peninsula\"");
    CHECK_STR(rq("\"knock knock\""), "\"knock knock\"");
    CHECK_STR(rq("\"who's there\" knock"), "(+\"who there\" +knock)");
    /* One token: a term; the slop is moot. */
    CHECK_STR(rq("\"putin\""), "putin");
    CHECK_STR(rq("\"putin\"~5"), "putin");
    /* Operators and field names inside quotes are words. */
    CHECK_STR(rq("\"war AND peace\""), "\"war and peace\"");
    CHECK_STR(rq("\"title:x (y)\""), "\"title x y\"");
    /* Several phrases and words. */
    CHECK_STR(rq("\"a b\" \"c d\" e"), "(+\"a b\" +\"c d\" +e)");
    CHECK_STR(rq_any("\"a b\" c"), "(\"a b\" c)");

    query_error e;
    qnode *q = parse_tree("\"knock knock who\"", 0, &e);
    REQUIRE(q);
    CHECK_INT(q->kind, Q_PHRASE);
    REQUIRE(q->n_terms == 3);
    CHECK_STR(q->terms[0], "knock");
    CHECK_STR(q->terms[1], "knock");
    CHECK_STR(q->terms[2], "who");
    CHECK_INT(q->rel_pos[2], 2);
    query_free(q);
}

TEST(test_query__phrase_slop)
{
    CHECK_STR(rq("\"a b\"~3"), "\"a b\"~3");
    CHECK_STR(rq("\"a b\"~0"), "\"a b\"");
    CHECK_STR(rq("\"a b\"~1000"), "\"a b\"~1000");
    CHECK_STR(rq("\"a b\"~2 c"), "(+\"a b\"~2 +c)");
    CHECK_STR(rq("(\"a b\"~2)"), "\"a b\"~2");
    query_error e;
    qnode *q = parse_tree("\"a b\"~7", 0, &e);
    REQUIRE(q);
    CHECK_INT(q->kind, Q_PHRASE);
    CHECK_INT(q->slop, 7);
    query_free(q);

    CHECK_ERR("\"a b\"~", 6, "must be a whole number from 0 to 1000");
    CHECK_ERR("\"a b\"~x", 6, "must be a whole number from 0 to 1000");
    CHECK_ERR("\"a b\"~1001", 6, "must be a whole number from 0 to 1000");
    CHECK_ERR("\"a b\"~99999999999999999999", 6, "must be a whole number");
    CHECK_ERR("\"a b\"~2.5", 6, "must be a whole number");
    CHECK_ERR("x \"a b\"~-1", 8, "must be a whole number");
}

/* ---- prefixes -------------------------------------------------------------------------------- */

TEST(test_query__prefix)
{
    CHECK_STR(rq("presiden*"), "presiden*");
    CHECK_STR(rq("Presiden*"), "presiden*");
    CHECK_STR(rq("Café*"), "cafe*");
    CHECK_STR(rq("putin presiden*"), "(+putin +presiden*)");
    CHECK_STR(rq("-presiden*"), "(+* -presiden*)");
    CHECK_STR(rq("don't*"), "don't*");

    query_error e;
    qnode *q = parse_tree("Presiden*", 0, &e);
    REQUIRE(q);
    CHECK_INT(q->kind, Q_PREFIX);
    REQUIRE(q->n_terms == 1);
    CHECK_STR(q->terms[0], "presiden");
    CHECK_INT(q->column, 1);
    query_free(q);
}

TEST(test_query__prefix_is_not_stemmed)
{
    analyzer *en = english_analyzer();
    /* Words are stemmed like the documents ... */
    CHECK_STR(rq_full(en, "running cats", 12, 0, 0), "(+run +cat)");
    CHECK_STR(rq_full(en, "\"running cats\"", 14, 0, 0), "\"run cat\"");
    /* ... prefixes are only folded: a stemmed prefix would miss words. */
    CHECK_STR(rq_full(en, "running*", 8, 0, 0), "running*");
    CHECK_STR(rq_full(en, "Universit*", 10, 0, 0), "universit*");
    CHECK_STR(rq_full(en, "Généra*", strlen("Généra*"), 0, 0), "genera*");
}

/* 1 when the prefix q's stems include s. */
static int has_stem(const qnode *q, const char *s)
{
    for (size_t i = 0; i < q->n_stems; i++)
        if (strcmp(q->stems[i], s) == 0)
            return 1;
    return 0;
}

/* The prefix of text parsed with analyzer a (NULL after a failure). */
static qnode *prefix_of(analyzer *a, const char *text)
{
    query_opts o = {0};
    query_error e;
    qnode *q = NULL;
    if (query_parse(&q, text, strlen(text), a, &o, &e) != 0 || q->kind != Q_PREFIX) {
        query_free(q);
        return NULL;
    }
    return q;
}

TEST(test_query__prefix_finds_the_stems_of_its_words)
{
    /* Snowball English indexes "president" as presid, "refugee" as refuge,
     * "running" as run, "election" as elect: the prefixes of those words
     * must reach them (docs/QUERY.md, "Prefixes") */
    static const struct {
        const char *query, *stem;
    } want[] = {{"presiden*", "presid"}, {"refugee*", "refuge"}, {"Running*", "run"},
                {"runn*", "run"},        {"electi*", "elect"},   {"ukraine*", "ukrain"}};
    analyzer *en = english_analyzer();
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        qnode *q = prefix_of(en, want[i].query);
        REQUIRE(q);
        if (!has_stem(q, want[i].stem))
            T_FAIL("%s: no stem %s among its %zu", want[i].query, want[i].stem, q->n_stems);
        /* none starts with the prefix: the dictionary range holds those */
        for (size_t j = 0; j < q->n_stems; j++)
            CHECK(strncmp(q->stems[j], q->terms[0], strlen(q->terms[0])) != 0);
        query_free(q);
    }
    /* "market" is no start of a word whose stem is mark */
    qnode *q = prefix_of(en, "market*");
    REQUIRE(q);
    CHECK(!has_stem(q, "mark"));
    query_free(q);
    /* without stemming the terms are the words: the range is all */
    q = prefix_of(plain_analyzer(), "presiden*");
    REQUIRE(q);
    CHECK_INT(q->n_stems, 0);
    query_free(q);
}

TEST(test_query__prefix_errors)
{
    CHECK_ERR("*", 1, "needs letters before it");
    CHECK_ERR("putin *", 7, "needs letters before it");
    CHECK_ERR("a*b", 2, "only a trailing '*' is supported");
    CHECK_ERR("**", 1, "only a trailing '*' is supported");
    CHECK_ERR("ab**", 3, "only a trailing '*' is supported");
    CHECK_ERR("jong-un*", 1, "is more than one word");
    CHECK_ERR("x U.S*", 3, "is more than one word");
    CHECK_ERR("...*", 1, "has no letters or digits");
}

TEST(test_query__fuzzy_is_refused)
{
    CHECK_ERR("roam~", 5, "fuzzy search is not supported");
    CHECK_ERR("x roam~2", 7, "fuzzy search is not supported");
    /* A tilde elsewhere is punctuation. */
    CHECK_STR(rq("a~b"), "\"a b\"");
}

/* ---- fields ---------------------------------------------------------------------------------- */

TEST(test_query__fields)
{
    CHECK_STR(rq("title:putin"), "title:putin");
    CHECK_STR(rq("body:putin"), "body:putin");
    CHECK_STR(rq("source:reuters"), "source:reuters");
    CHECK_STR(rq("section:opinion"), "section:opinion");
    CHECK_STR(rq("TITLE:Putin"), "title:putin");
    CHECK_STR(rq("Title:putin"), "title:putin");
    CHECK_STR(rq("title:\"korean peninsula\""), "title:\"korean peninsula\"");
    CHECK_STR(rq("title:\"a b\"~2"), "title:\"a b\"~2");
    CHECK_STR(rq("title:presiden*"), "title:presiden*");
    CHECK_STR(rq("source:new-york-times"), "source:\"new york times\"");
    CHECK_STR(rq("title:putin kim"), "(+title:putin +kim)");
    CHECK_STR(rq("-title:putin kim"), "(-title:putin +kim)");
    CHECK_STR(rq("+title:putin"), "title:putin");

    query_error e;
    qnode *q = parse_tree("kim title:putin", 0, &e);
    REQUIRE(q);
    REQUIRE(q->kind == Q_BOOL && q->n_kids == 2);
    CHECK_INT(q->kids[0]->field, QFIELD_DEFAULT);
    CHECK_INT(q->kids[1]->field, FIELD_TITLE);
    CHECK_INT(q->kids[1]->column, 5);
    query_free(q);
}

TEST(test_query__field_on_group)
{
    CHECK_STR(rq("title:(putin OR kim)"), "(title:putin title:kim)");
    CHECK_STR(rq("title:(putin kim) summit"), "(+title:putin +title:kim +summit)");
    CHECK_STR(rq("title:(a \"b c\" d*)"), "(+title:a +title:\"b c\" +title:d*)");
    CHECK_STR(rq("title:(a (b OR c))"), "(+title:a +(title:b title:c))");
    /* A field inside the group wins for its clause. */
    CHECK_STR(rq("title:(a body:b)"), "(+title:a +body:b)");
    /* A date inside a field group is still a date filter. */
    CHECK_STR(rq("title:(a date:2019)"), "(+title:a +" DATE_2019 ")");
}

TEST(test_query__colon_words_that_are_not_fields)
{
    /* Only letters before the colon make a field name. */
    CHECK_STR(rq("10:30"), "\"10 30\"");
    CHECK_STR(rq("a1:b"), "\"a1 b\"");
    CHECK_STR(rq(":putin"), "putin");
    CHECK_ERR("putin:", 1, "unknown field 'putin'");
    CHECK_ERR("x Putin:", 3, "unknown field 'Putin'");
    /* The value of a field is a word even if it has a colon in it. */
    CHECK_STR(rq("title:a:b"), "title:\"a b\"");
    /* In quotes, anything goes. */
    CHECK_STR(rq("\"http://example.com\""), "\"http example com\"");
}

TEST(test_query__field_errors)
{
    CHECK_STR(rq("foo:bar"),
              "error -6 at 1: unknown field 'foo' at column 1 (fields: title, body, source, "
              "section, date); to search for text with a colon in it, put it in quotes");
    CHECK_ERR("putin authr:smith", 7,
              "unknown field 'authr' at column 7 (fields: title, body, source, section, date)");
    CHECK_ERR("http://example.com", 1, "unknown field 'http'");
    CHECK_ERR("(a -foo:b)", 5, "unknown field 'foo'");
    CHECK_ERR("title:", 1, "title: at column 1 needs a word, a \"phrase\" or a (group)");
    CHECK_ERR("title: putin", 1, "needs a word, a \"phrase\" or a (group)");
    CHECK_ERR("(title:)", 2, "needs a word");
    CHECK_ERR("title:-putin", 7, "belongs before the field name");
    CHECK_ERR("title:+putin", 7, "belongs before the field name");
}

/* ---- dates ----------------------------------------------------------------------------------- */

TEST(test_query__date_periods)
{
    CHECK_STR(rq("date:2019"), "(+" DATE_2019 ")");
    CHECK_STR(rq("date:2019-04"), "(+date:[2019-04-01T00:00:00Z..2019-04-30T23:59:59Z])");
    CHECK_STR(rq("date:2019-12"), "(+date:[2019-12-01T00:00:00Z..2019-12-31T23:59:59Z])");
    CHECK_STR(rq("date:2019-01"), "(+date:[2019-01-01T00:00:00Z..2019-01-31T23:59:59Z])");
    /* February: 28 days, 29 in leap years (2020, 2000), 28 in 1900. */
    CHECK_STR(rq("date:2019-02"), "(+date:[2019-02-01T00:00:00Z..2019-02-28T23:59:59Z])");
    CHECK_STR(rq("date:2020-02"), "(+date:[2020-02-01T00:00:00Z..2020-02-29T23:59:59Z])");
    CHECK_STR(rq("date:2000-02"), "(+date:[2000-02-01T00:00:00Z..2000-02-29T23:59:59Z])");
    CHECK_STR(rq("date:1900-02"), "(+date:[1900-02-01T00:00:00Z..1900-02-28T23:59:59Z])");
    CHECK_STR(rq("date:2019-04-25"), "(+date:[2019-04-25T00:00:00Z..2019-04-25T23:59:59Z])");
    CHECK_STR(rq("date:2019/4/25"), "(+date:[2019-04-25T00:00:00Z..2019-04-25T23:59:59Z])");
    CHECK_STR(rq("date:2019-4-5"), "(+date:[2019-04-05T00:00:00Z..2019-04-05T23:59:59Z])");
    CHECK_STR(rq("date:2020-02-29"), "(+date:[2020-02-29T00:00:00Z..2020-02-29T23:59:59Z])");
    CHECK_STR(rq("DATE:2019"), "(+" DATE_2019 ")");
    /* With a time: that minute, or that second. */
    CHECK_STR(rq("date:2019-04-25T10:30"),
              "(+date:[2019-04-25T10:30:00Z..2019-04-25T10:30:59Z])");
    CHECK_STR(rq("date:2019-04-25T10:30:15"),
              "(+date:[2019-04-25T10:30:15Z..2019-04-25T10:30:15Z])");
    CHECK_STR(rq("date:\"2019-04-25 10:30\""),
              "(+date:[2019-04-25T10:30:00Z..2019-04-25T10:30:59Z])");
    /* The ends of the calendar date_parse knows. */
    CHECK_STR(rq("date:9999"), "(+date:[9999-01-01T00:00:00Z..9999-12-31T23:59:59Z])");
    CHECK_STR(rq("date:0001-01"), "(+date:[0001-01-01T00:00:00Z..0001-01-31T23:59:59Z])");
}

TEST(test_query__date_seconds)
{
    /* 2019-01-01 = 1546300800; 2020-01-01 = 1546300800 + 365 days. */
    query_error e;
    qnode *q = parse_tree("date:2019", 0, &e);
    REQUIRE(q);
    /* A query of only a date filter: a Q_BOOL with the Q_DATE as MUST. */
    CHECK_INT(q->kind, Q_BOOL);
    REQUIRE(q->n_kids == 1);
    CHECK_INT(q->kids[0]->kind, Q_DATE);
    CHECK_INT(q->kids[0]->occur, Q_MUST);
    CHECK_INT(q->kids[0]->date_lo, 1546300800);
    CHECK_INT(q->kids[0]->date_hi, 1546300800 + 365LL * 86400 - 1);
    CHECK_INT(q->kids[0]->column, 1);
    query_free(q);
    /* 2019-04-25 = 1556150400. */
    q = parse_tree("putin date:2019-04-25", 0, &e);
    REQUIRE(q);
    REQUIRE(q->kind == Q_BOOL && q->n_kids == 2);
    CHECK_INT(q->kids[1]->kind, Q_DATE);
    CHECK_INT(q->kids[1]->date_lo, 1556150400);
    CHECK_INT(q->kids[1]->date_hi, 1556150400 + 86399);
    CHECK_INT(q->kids[1]->column, 7);
    query_free(q);
}

TEST(test_query__date_ranges)
{
    CHECK_STR(rq("date:2019-01-01..2019-06-30"),
              "(+date:[2019-01-01T00:00:00Z..2019-06-30T23:59:59Z])");
    CHECK_STR(rq("date:2019..2020"), "(+date:[2019-01-01T00:00:00Z..2020-12-31T23:59:59Z])");
    CHECK_STR(rq("date:2019-03..2019-04"),
              "(+date:[2019-03-01T00:00:00Z..2019-04-30T23:59:59Z])");
    CHECK_STR(rq("date:2019-04-25..2019-04-25"),
              "(+date:[2019-04-25T00:00:00Z..2019-04-25T23:59:59Z])");
    CHECK_STR(rq("date:2019-01-01.."), "(+date:[2019-01-01T00:00:00Z..9999-12-31T23:59:59Z])");
    CHECK_STR(rq("date:..2019-06-30"), "(+date:[0001-01-01T00:00:00Z..2019-06-30T23:59:59Z])");
    CHECK_STR(rq("date:2018/12/31..2019/1/1"),
              "(+date:[2018-12-31T00:00:00Z..2019-01-01T23:59:59Z])");
}

TEST(test_query__date_comparisons)
{
    CHECK_STR(rq("date:>=2019"), "(+date:[2019-01-01T00:00:00Z..9999-12-31T23:59:59Z])");
    CHECK_STR(rq("date:>2019"), "(+date:[2020-01-01T00:00:00Z..9999-12-31T23:59:59Z])");
    CHECK_STR(rq("date:>2019-03"), "(+date:[2019-04-01T00:00:00Z..9999-12-31T23:59:59Z])");
    CHECK_STR(rq("date:>2020-02"), "(+date:[2020-03-01T00:00:00Z..9999-12-31T23:59:59Z])");
    CHECK_STR(rq("date:>2019-12-31"), "(+date:[2020-01-01T00:00:00Z..9999-12-31T23:59:59Z])");
    CHECK_STR(rq("date:<=2019-06"), "(+date:[0001-01-01T00:00:00Z..2019-06-30T23:59:59Z])");
    CHECK_STR(rq("date:<2019-06"), "(+date:[0001-01-01T00:00:00Z..2019-05-31T23:59:59Z])");
    CHECK_STR(rq("date:<2019-03-01"), "(+date:[0001-01-01T00:00:00Z..2019-02-28T23:59:59Z])");
    CHECK_STR(rq("date:<2019"), "(+date:[0001-01-01T00:00:00Z..2018-12-31T23:59:59Z])");
}

TEST(test_query__date_filters_in_queries)
{
    CHECK_STR(rq("putin date:2019"), "(+putin +" DATE_2019 ")");
    CHECK_STR(rq("putin -date:2019"), "(+putin -" DATE_2019 ")");
    CHECK_STR(rq("-date:2019"), "(+* -" DATE_2019 ")");
    CHECK_STR(rq("NOT date:2019"), "(+* -" DATE_2019 ")");
    /* A filter is required even with any_default, and does not make the
     * words optional: they still need one match among themselves. */
    CHECK_STR(rq_any("putin date:2019"), "(+" DATE_2019 " +putin)");
    CHECK_STR(rq_any("putin kim date:2019"), "(+" DATE_2019 " +(putin kim))");
    CHECK_STR(rq_any("+putin kim date:2019"), "(+putin kim +" DATE_2019 ")");
    CHECK_STR(rq_any("putin -date:2019"), "(putin -" DATE_2019 ")");
    /* Filters can be OR'ed. */
    CHECK_STR(rq("date:2019 OR date:2020-01"),
              "(" DATE_2019 " date:[2020-01-01T00:00:00Z..2020-01-31T23:59:59Z])");
    CHECK_STR(rq("putin (date:2019 OR date:2021)"),
              "(+putin +(" DATE_2019 " date:[2021-01-01T00:00:00Z..2021-12-31T23:59:59Z]))");
    CHECK_STR(rq("date:2019 -date:2019-06"),
              "(+" DATE_2019 " -date:[2019-06-01T00:00:00Z..2019-06-30T23:59:59Z])");
}

TEST(test_query__date_errors)
{
    CHECK_ERR("date:", 1, "date: at column 1 needs a date right after the colon");
    CHECK_ERR("putin date: x", 7, "needs a date");
    CHECK_STR(rq("date:2019-13"),
              "error -6 at 6: bad date '2019-13' at column 6: write YYYY, YYYY-MM or "
              "YYYY-MM-DD (or YYYY/M/D), optionally followed by THH:MM or THH:MM:SS");
    CHECK_ERR("date:2019-02-29", 6, "bad date '2019-02-29' at column 6: no such day, February 2019 has 28 days");
    CHECK_ERR("date:2020-02-30", 6, "no such day, February 2020 has 29 days");
    CHECK_ERR("date:2100/2/29", 6, "no such day, February 2100 has 28 days");
    CHECK_ERR("date:2019-04-31T10:00", 6, "no such day, April 2019 has 30 days");
    CHECK_ERR("date:2019-13-01", 6, "no such day, there is no month 13");
    CHECK_ERR("date:2019-05-00", 6, "no such day, there is no day 0");
    CHECK_STR(rq("date:2000-02-29"), "(+date:[2000-02-29T00:00:00Z..2000-02-29T23:59:59Z])");
    CHECK_ERR("date:19", 6, "bad date '19'");
    CHECK_ERR("date:yesterday", 6, "bad date 'yesterday'");
    CHECK_ERR("date:2019/4", 6, "bad date '2019/4'");
    CHECK_ERR("date:2019*", 6, "bad date '2019*'");
    CHECK_ERR("putin date:2019-01-01..2019-14-01", 24, "bad date '2019-14-01' at column 24");
    CHECK_ERR("date:2019-01-32..2019-02-01", 6, "bad date '2019-01-32'");
    CHECK_ERR("date:2019...2020", 12, "bad date '.2020'");
    CHECK_ERR("date:2020..2019", 6, "ends before it starts");
    CHECK_ERR("date:2019-06-30..2019-06-01", 6, "ends before it starts");
    CHECK_ERR("date:>9999", 6, "ends before it starts");
    CHECK_ERR("date:<0001", 6, "ends before it starts");
    CHECK_ERR("date:..", 6, "needs at least one end");
    CHECK_ERR("date:>=", 8, "bad date ''");
    CHECK_ERR("date:>=2019..2020", 8, "bad date '2019..2020'");
    CHECK_ERR("date:(2019 OR 2020)", 1, "not a group");
    CHECK_ERR("date:\"2019", 6, "unbalanced quote");
}

/* ---- free-text mode -------------------------------------------------------------------------- */

TEST(test_query__free_text)
{
    CHECK_STR(rq_free("griffith observatory"), "(griffith observatory)");
    /* Operators, quotes, colons, stars, parentheses: just characters. */
    CHECK_STR(rq_free("war AND peace OR NOT love"), "(war and peace or not love)");
    CHECK_STR(rq_free("\"exact phrase\" title:x date:2019 presiden* (a) -b +c"),
              "(exact phrase title x date 2019 presiden a b c)");
    CHECK_STR(rq_free("\"unbalanced (quote"), "(unbalanced quote)");
    CHECK_STR(rq_free("foo:bar AND"), "(foo bar and)");
    CHECK_STR(rq_free("jong-un"), "(jong un)");
    /* One word still makes a Q_BOOL with one SHOULD child; duplicates stay. */
    CHECK_STR(rq_free("putin"), "(putin)");
    CHECK_STR(rq_free("the cat and the hat"), "(the cat and the hat)");

    query_error e;
    qnode *q = NULL;
    query_opts o = {.free_text = 1};
    const char *text = "  What about AND-gates?";
    REQUIRE(query_parse(&q, text, strlen(text), plain_analyzer(), &o, &e) == 0);
    CHECK_INT(q->kind, Q_BOOL);
    CHECK_INT(q->occur, Q_MUST);
    REQUIRE(q->n_kids == 4);
    for (size_t i = 0; i < q->n_kids; i++) {
        CHECK_INT(q->kids[i]->kind, Q_TERM);
        CHECK_INT(q->kids[i]->occur, Q_SHOULD);
        CHECK_INT(q->kids[i]->field, QFIELD_DEFAULT);
    }
    CHECK_STR(q->kids[2]->terms[0], "and");
    CHECK_INT(q->kids[0]->column, 3);  /* What */
    CHECK_INT(q->kids[2]->column, 14); /* AND */
    CHECK_INT(q->kids[3]->column, 18); /* gates */
    query_free(q);

    /* The same mode with any_default set makes no difference. */
    CHECK_STR(rq_full(plain_analyzer(), "a AND b", 7, 1, 1), "(a and b)");
    CHECK_STR(rq_full(english_analyzer(), "Running cats", 12, 0, 1), "(run cat)");
}

/* Free text leaving out the stop words of list: the rendering (or "error ..."). */
static const char *rq_stop(analyzer *a, int list, const char *text)
{
    static char out[4096];
    qnode *q = NULL;
    query_error e;
    query_opts o = {.free_text = 1, .stopwords = list};
    int rc = query_parse(&q, text, strlen(text), a, &o, &e);
    if (rc) {
        snprintf(out, sizeof out, "error %d at %u: %s", rc, (unsigned)e.column, e.message);
        return out;
    }
    buf b = {0};
    query_render(q, &b);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    buf_free(&b);
    query_free(q);
    return out;
}

TEST(test_query__free_text_stopwords)
{
    /* Lucene's 33 English stop words, in any case, possessive removed first
     * ("it's" is "it"), are left out; other words stay, duplicates too.
     * Every word of the list is found (the binary search needs it sorted). */
    const int L = STOPWORDS_LUCENE, S = STOPWORDS_SNOWBALL;
    CHECK_STR(rq_stop(plain_analyzer(), L,
                      "a an and are as at be but by for if in into is it no not of on or "
                      "such that the their then there these they this to was will with x"),
              "(x)");
    CHECK_STR(rq_stop(plain_analyzer(), L, "The Cat AND the HAT, It's THERE"), "(cat hat)");
    CHECK_STR(rq_stop(plain_analyzer(), L, "what is the cat's cat"), "(what cat cat)");
    /* near misses are words: "thes", "ths", "wills", "a1", "i", "intos" */
    CHECK_STR(rq_stop(plain_analyzer(), L, "thes ths wills a1 i intos"),
              "(thes ths wills a1 i intos)");
    /* judged before stemming: "doing" (stemmed "do") is not a Lucene stop word */
    CHECK_STR(rq_stop(english_analyzer(), L, "this running doing"), "(run do)");
    /* a text of only stop words searches them rather than nothing */
    CHECK_STR(rq_stop(plain_analyzer(), L, "to be or not to be"), "(to be or not to be)");
    CHECK(strstr(rq_stop(plain_analyzer(), L, "?!"), "no searchable term") != NULL);
    /* none keeps every word */
    CHECK_STR(rq_stop(plain_analyzer(), STOPWORDS_NONE, "the cat"), "(the cat)");

    /* Snowball's 127 words, the first, the last and some between; "doing"
     * is one of them (before stemming), "would" and "cannot" are not. */
    CHECK_STR(rq_stop(plain_analyzer(), S,
                      "a about above after again against all am an and any are as at be "
                      "because been before being below between both but by can did do does "
                      "doing don down during each few for from further had has have having he "
                      "her here hers herself him himself his how i if in into is it its itself "
                      "just me more most my myself no nor not now of off on once only or other "
                      "our ours ourselves out over own s same she should so some such t than "
                      "that the their theirs them themselves then there these they this those "
                      "through to too under until up very was we were what when where which "
                      "while who whom why will with you your yours yourself yourselves x"),
              "(x)");
    CHECK_STR(rq_stop(english_analyzer(), S, "What are the effects of doing it?"), "(effect)");
    /* the examples of docs/QUERY.md "Free-text mode" */
    CHECK_STR(rq_stop(english_analyzer(), S, "What are the effects of fluoride on teeth?"),
              "(effect fluorid teeth)");
    CHECK_STR(rq_stop(plain_analyzer(), S, "war AND peace"), "(war peace)");
    CHECK_STR(rq_stop(plain_analyzer(), S, "would cannot abouts yourselve"),
              "(would cannot abouts yourselve)");

    /* the names */
    CHECK_INT(stopwords_by_name("lucene"), STOPWORDS_LUCENE);
    CHECK_INT(stopwords_by_name("snowball"), STOPWORDS_SNOWBALL);
    CHECK_INT(stopwords_by_name("none"), STOPWORDS_NONE);
    CHECK_INT(stopwords_by_name("english"), -1);
    CHECK_STR(stopwords_name(STOPWORDS_SNOWBALL), "snowball");

    /* a stop-word list outside free-text mode changes nothing */
    qnode *q = NULL;
    query_opts o = {.stopwords = STOPWORDS_LUCENE};
    REQUIRE(query_parse(&q, "the cat", 7, plain_analyzer(), &o, NULL) == 0);
    buf b = {0};
    query_render(q, &b);
    CHECK_STR(b.data, "(+the +cat)");
    buf_free(&b);
    query_free(q);
}

TEST(test_query__free_text_errors)
{
    query_error e;
    CHECK_INT(perr("", 0, 0, 1, &e), LEDE_EQUERY);
    CHECK_INT(e.column, 1);
    CHECK(strstr(e.message, "empty query") != NULL);
    CHECK_INT(perr("?! ... \"\" ()", 12, 0, 1, &e), LEDE_EQUERY);
    CHECK_INT(e.column, 1);
    CHECK(strstr(e.message, "no searchable term") != NULL);
}

/* ---- structure: columns and occurs ----------------------------------------------------------- */

TEST(test_query__columns)
{
    query_error e;
    qnode *q = parse_tree("putin \"korean peninsula\" -date:2019 presiden*", 0, &e);
    REQUIRE(q);
    REQUIRE(q->kind == Q_BOOL && q->n_kids == 4);
    CHECK_INT(q->kids[0]->column, 1);
    CHECK_INT(q->kids[0]->occur, Q_MUST);
    CHECK_INT(q->kids[1]->column, 7);
    CHECK_INT(q->kids[1]->kind, Q_PHRASE);
    CHECK_INT(q->kids[2]->column, 27); /* the clause after its '-' */
    CHECK_INT(q->kids[2]->occur, Q_MUST_NOT);
    CHECK_INT(q->kids[2]->kind, Q_DATE);
    CHECK_INT(q->kids[3]->column, 37);
    CHECK_INT(q->kids[3]->kind, Q_PREFIX);
    query_free(q);
}

/* ---- syntax errors --------------------------------------------------------------------------- */

TEST(test_query__empty_query)
{
    CHECK_STR(rq(""), "error -6 at 1: empty query: type at least one word to search for");
    CHECK_ERR("   ", 1, "empty query");
    CHECK_ERR("\t\n", 1, "empty query");
    CHECK_ERR_LEN("\0\0", 2, 0, 1, "empty query");
    query_error e;
    qnode *q = (qnode *)(uintptr_t)1;
    query_opts o = {.any_default = 0};
    CHECK_INT(query_parse(&q, NULL, 0, plain_analyzer(), &o, &e), LEDE_EQUERY);
    CHECK(q == NULL);
}

TEST(test_query__unbalanced_quote)
{
    CHECK_STR(rq("\"korean peninsula"),
              "error -6 at 1: unbalanced quote: the phrase opened at column 1 never closes; "
              "add a closing \"");
    CHECK_ERR("putin \"korean", 7, "unbalanced quote: the phrase opened at column 7");
    CHECK_ERR("\"a\" \"b\" \"c", 9, "unbalanced quote");
    CHECK_ERR("title:\"a b", 7, "unbalanced quote");
    CHECK_ERR("5'10\" tall", 5, "unbalanced quote");
}

TEST(test_query__unbalanced_parenthesis)
{
    CHECK_STR(rq("(a b"),
              "error -6 at 1: unbalanced parenthesis: the '(' at column 1 is never closed; add "
              "a ')'");
    CHECK_STR(rq("a b)"),
              "error -6 at 4: unbalanced parenthesis: the ')' at column 4 has no matching '('; "
              "remove it or add a '(' before it");
    CHECK_ERR("(a (b c)", 1, "the '(' at column 1 is never closed");
    CHECK_ERR("(a (b c) OR (d", 13, "the '(' at column 13 is never closed");
    CHECK_ERR("(a) b) c", 6, "the ')' at column 6 has no matching '('");
    CHECK_ERR(")", 1, "has no matching '('");
    CHECK_ERR("()", 1, "empty parentheses at column 1");
    CHECK_ERR("a ( ) b", 3, "empty parentheses at column 3");
    CHECK_ERR("(\"a b\"", 1, "never closed");
}

TEST(test_query__missing_operands)
{
    CHECK_STR(rq("putin AND"), "error -6 at 7: AND at column 7 needs a clause on both sides, "
                               "as in a AND b");
    CHECK_ERR("AND putin", 1, "AND at column 1 needs a clause on both sides");
    CHECK_ERR("OR putin", 1, "OR at column 1 needs a clause on both sides");
    CHECK_ERR("putin OR", 7, "OR at column 7 needs a clause on both sides");
    CHECK_ERR("a OR OR b", 3, "OR at column 3 needs a clause on both sides");
    CHECK_ERR("a AND OR b", 3, "AND at column 3 needs a clause on both sides");
    CHECK_ERR("a AND AND b", 3, "AND at column 3");
    CHECK_ERR("(a AND) b", 4, "AND at column 4");
    CHECK_ERR("(OR a)", 2, "OR at column 2");
    CHECK_ERR("a && ", 3, "'&&' at column 3 needs a clause on both sides, as in a && b");
    CHECK_ERR("|| a", 1, "'||' at column 1");
    CHECK_ERR("putin NOT", 7, "NOT at column 7 needs a clause after it");
    CHECK_ERR("NOT", 1, "NOT at column 1 needs a clause after it");
    CHECK_ERR("a NOT OR b", 3, "NOT at column 3 needs a clause after it");
    CHECK_ERR("(a NOT)", 4, "NOT at column 4");
    CHECK_ERR("a !", 3, "'!' at column 3 needs a clause after it");
}

TEST(test_query__modifier_errors)
{
    CHECK_ERR("a - b", 3, "'-' at column 3 must be followed directly by a word");
    CHECK_ERR("a -", 3, "'-' at column 3 must be followed directly");
    CHECK_ERR("+ a", 1, "'+' at column 1 must be followed directly");
    CHECK_ERR("(a -)", 4, "'-' at column 4");
    CHECK_ERR("-AND a", 1, "'-' at column 1 must be followed directly");
    CHECK_ERR("--a", 2, "'-' at column 2 cannot follow '-'");
    CHECK_ERR("+-a", 2, "'-' at column 2 cannot follow '+'");
    CHECK_ERR("-NOT a", 2, "'NOT' at column 2 cannot follow '-'");
    CHECK_ERR("NOT -a", 5, "'-' at column 5 cannot follow 'NOT'");
    CHECK_ERR("NOT NOT a", 5, "'NOT' at column 5 cannot follow 'NOT'");
    CHECK_ERR("a !!b", 4, "'!' at column 4 cannot follow '!'");
}

/* ---- limits ---------------------------------------------------------------------------------- */

static char *repeat(const char *unit, size_t n, const char *middle, const char *tail)
{
    size_t ul = strlen(unit), ml = strlen(middle), tl = strlen(tail);
    char *s = malloc(ul * n + ml + tl * n + 1);
    if (!s)
        exit(1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++, k += ul)
        memcpy(s + k, unit, ul);
    memcpy(s + k, middle, ml);
    k += ml;
    for (size_t i = 0; i < n; i++, k += tl)
        memcpy(s + k, tail, tl);
    s[k] = '\0';
    return s;
}

TEST(test_query__limit_depth)
{
    char *s = repeat("(", QUERY_MAX_DEPTH, "a", ")");
    CHECK_STR(rq(s), "a");
    free(s);
    s = repeat("(", QUERY_MAX_DEPTH + 1, "a", ")");
    CHECK_LIMIT(s, QUERY_MAX_DEPTH + 1, "parentheses nested more than 100 deep at column 101");
    free(s);
    /* 10,000 deep: refused at the 101st, without descending further. */
    s = repeat("(", 10000, "a", ")");
    CHECK_LIMIT(s, 101, "nested more than 100 deep");
    CHECK_LIMIT_LEN(s, strlen(s), 1, 101, "nested more than 100 deep");
    free(s);
    s = repeat("(", 10000, "", "");
    CHECK_LIMIT(s, 101, "nested more than 100 deep");
    free(s);
    s = repeat("-(", 10000, "a", ")");
    CHECK_LIMIT(s, 202, "nested more than 100 deep");
    free(s);
}

TEST(test_query__limit_tree_depth)
{
    /* Each level "x y OR z (...)" is an OR (depth 2k - 2) of two ANDs
     * (depth 2k - 1), so two tree levels per parenthesis, well within the
     * 100 parentheses. With 50 levels the deepest Q_BOOL is at depth 99 and
     * its last clause, w, at 100. With 51, the first AND of level 51 is at
     * depth 101: refused, at its first clause, byte 50 * 10 (each level's
     * prefix is 10 bytes). */
    char *s = repeat("x y OR z (", 50, "w", ")");
    const char *r = rq(s);
    CHECK(strncmp(r, "((+x +y) (+z +((+x +y)", 22) == 0);
    free(s);
    s = repeat("x y OR z (", 51, "w", ")");
    CHECK_LIMIT(s, 501, "the query nests more than 100 levels deep");
    free(s);
    s = repeat("x y OR z (", 99, "w", ")");
    CHECK_LIMIT(s, 501, "nests more than 100 levels deep");
    free(s);
}

TEST(test_query__limit_clauses)
{
    char *s = repeat("a ", QUERY_MAX_CLAUSES, "", "");
    const char *r = rq(s);
    CHECK(strncmp(r, "(+a +a ", 7) == 0);
    free(s);
    /* The 1025th clause starts at byte 2 * 1024. */
    s = repeat("a ", QUERY_MAX_CLAUSES + 1, "", "");
    CHECK_LIMIT(s, 2 * QUERY_MAX_CLAUSES + 1, "more than 1024 words, phrases, prefixes and dates");
    free(s);
    s = repeat("a ", 10000, "", "");
    CHECK_LIMIT(s, 2049, "too many clauses");
    CHECK_LIMIT_LEN(s, strlen(s), 1, 2049, "too many clauses");
    query_error e;
    CHECK_INT(perr(s, strlen(s), 0, 1, &e), LEDE_ELIMIT);
    CHECK_INT(e.column, 2049);
    free(s);
    /* Dates and prefixes count too (phrases as well, but 1024 phrases pass
     * the limit on terms first); dropped words do not. */
    s = repeat("date:2019 ", 1024, "c*", "");
    CHECK_LIMIT(s, 1024 * 10 + 1, "too many clauses");
    free(s);
    s = repeat("... ", 5000, "a", "");
    CHECK_STR(rq(s), "a");
    free(s);
}

TEST(test_query__limit_phrase_terms)
{
    char *s = repeat("w ", QUERY_MAX_PHRASE_TERMS, "", "");
    char *q = malloc(strlen(s) + 3);
    REQUIRE(q);
    sprintf(q, "\"%s\"", s);
    const char *r = rq(q);
    CHECK(strncmp(r, "\"w w w ", 7) == 0);
    free(s);
    free(q);

    s = repeat("w ", QUERY_MAX_PHRASE_TERMS + 1, "", "");
    q = malloc(strlen(s) + 10);
    REQUIRE(q);
    sprintf(q, "x \"%s\"", s);
    CHECK_LIMIT(q, 3, "the phrase at column 3 has more than 64 words");
    free(s);
    free(q);

    s = repeat("word ", 1000, "", "");
    q = malloc(strlen(s) + 3);
    REQUIRE(q);
    sprintf(q, "\"%s\"", s);
    CHECK_LIMIT(q, 1, "has more than 64 words");
    free(s);
    free(q);

    /* A word that splits into too many terms. */
    s = repeat("a-", QUERY_MAX_PHRASE_TERMS, "a", "");
    CHECK_LIMIT(s, 1, "the word at column 1 splits into more than 64 terms");
    free(s);
    s = repeat("a-", QUERY_MAX_PHRASE_TERMS - 1, "a", "");
    r = rq(s);
    CHECK(strncmp(r, "\"a a a ", 7) == 0);
    free(s);
}

TEST(test_query__limit_terms)
{
    /* docs/LIMITS.md: at most 1024 terms in all, each word of a phrase
     * counting. 16 phrases of 64 words are 1024 terms; a 1025th word is
     * refused at its column. Each phrase unit is '"' + 64 x "w " + '"' + ' ',
     * 131 bytes, so the word after 16 of them starts at column 16 * 131 + 1. */
    char *ph = repeat("w ", QUERY_MAX_PHRASE_TERMS, "", "");
    size_t pl = strlen(ph);
    char *s = malloc(16 * (pl + 3) + 8);
    REQUIRE(s);
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        s[k++] = '"';
        memcpy(s + k, ph, pl);
        k += pl;
        s[k++] = '"';
        s[k++] = ' ';
    }
    s[k] = '\0';
    CHECK_INT(k, 16 * 131);
    const char *r = rq(s);
    CHECK(strncmp(r, "(+\"w w w ", 9) == 0);
    strcpy(s + k, "x");
    CHECK_LIMIT(s, 16 * 131 + 1, "too many terms: the words of this query and of its phrases "
                                 "pass 1024 at column 2097");
    /* A word that splits into two terms counts two: with the last phrase's
     * last word blanked out (1023 terms before it), "x" fits, "jong-un" not. */
    s[k - 4] = ' ';
    r = rq(s);
    CHECK(strncmp(r, "(+\"w w w ", 9) == 0);
    strcpy(s + k, "jong-un");
    CHECK_LIMIT(s, 16 * 131 + 1, "too many terms");
    free(s);
    free(ph);
}

TEST(test_query__limit_prefixes)
{
    /* At most 64 prefixes; the 65th is refused at its column (3 bytes each). */
    char *s = repeat("a* ", QUERY_MAX_PREFIXES, "", "");
    const char *r = rq(s);
    CHECK(strncmp(r, "(+a* +a* ", 9) == 0);
    free(s);
    s = repeat("a* ", QUERY_MAX_PREFIXES + 1, "", "");
    CHECK_LIMIT(s, 3 * 64 + 1, "too many prefixes: the query has more than 64 words ending in "
                               "'*' (column 193)");
    free(s);
    /* a 5,000-prefix query stops at the 65th as well */
    s = repeat("presiden* ", 5000, "", "");
    CHECK_LIMIT(s, 10 * 64 + 1, "too many prefixes");
    free(s);
}

TEST(test_query__limit_length)
{
    size_t n = 1 << 20;
    char *s = malloc(n);
    REQUIRE(s);
    memset(s, 'a', n);
    for (size_t i = 1; i < n; i += 2)
        s[i] = ' ';
    CHECK_LIMIT_LEN(s, n, 0, QUERY_MAX_BYTES + 1,
                  "the query is 1048576 bytes long, over the limit of 65536 bytes");
    query_error e;
    CHECK_INT(perr(s, n, 0, 1, &e), LEDE_ELIMIT);
    CHECK_INT(e.column, QUERY_MAX_BYTES + 1);
    /* Exactly at the limit is fine (one word, then white space). */
    memset(s, ' ', QUERY_MAX_BYTES);
    s[0] = 'a';
    CHECK_STR(rq_full(plain_analyzer(), s, QUERY_MAX_BYTES, 0, 0), "a");
    CHECK_LIMIT_LEN(s, QUERY_MAX_BYTES + 1, 0, QUERY_MAX_BYTES + 1, "over the limit");
    free(s);
}

/* ---- hostile bytes --------------------------------------------------------------------------- */

TEST(test_query__nul_bytes)
{
    /* Text has an explicit length: a NUL separates and truncates nothing. */
    CHECK_STR(rq_full(plain_analyzer(), "putin\0kim", 9, 0, 0), "(+putin +kim)");
    CHECK_STR(rq_full(plain_analyzer(), "\"a\0b\"", 5, 0, 0), "\"a b\"");
    CHECK_STR(rq_full(plain_analyzer(), "\0putin\0", 7, 0, 0), "putin");
    CHECK_STR(rq_full(plain_analyzer(), "a\0OR\0b", 6, 0, 0), "(a b)");
    CHECK_STR(rq_full(plain_analyzer(), "putin\0kim", 9, 0, 1), "(putin kim)");
    CHECK_ERR_LEN("(a\0", 3, 0, 1, "never closed");
}

TEST(test_query__invalid_utf8)
{
    /* Invalid bytes are separators to the analyzer. */
    CHECK_STR(rq("pu\xfftin"), "\"pu tin\"");
    CHECK_STR(rq("caf\xc3\xa9"), "cafe");
    CHECK_STR(rq("caf\xc3"), "caf");
    CHECK_STR(rq("\xe2\x82 putin"), "putin");
    CHECK_ERR("\xff\xfe", 1, "no searchable term");
    CHECK_STR(rq_free("\xff putin \xc0\xaf kim"), "(putin kim)");
    CHECK_STR(rq("\"a\xff" "b\""), "\"a b\"");
    CHECK_STR(rq("title:\xff" "x"), "title:x");
}

TEST(test_query__unicode_spaces_separate_clauses)
{
    CHECK_STR(rq("putin\xc2\xa0kim"), "(+putin +kim)");          /* U+00A0 */
    CHECK_STR(rq("putin\xe3\x80\x80" "kim"), "(+putin +kim)");   /* U+3000 */
    CHECK_STR(rq("a\xe2\x80\x83OR\xe2\x80\x83" "b"), "(a b)");   /* U+2003 */
}

/* ---- API edges ------------------------------------------------------------------------------- */

TEST(test_query__api_edges)
{
    query_free(NULL);
    buf b = {0};
    CHECK_INT(query_render(NULL, &b), LEDE_EINVAL);
    qnode *q = (qnode *)(uintptr_t)1;
    query_opts o = {.any_default = 0};
    CHECK_INT(query_parse(&q, "a", 1, NULL, &o, NULL), LEDE_EINVAL);
    CHECK(q == NULL);
    /* Options may be NULL (defaults: AND, full syntax). */
    query_error e;
    REQUIRE(query_parse(&q, "a b", 3, plain_analyzer(), NULL, &e) == 0);
    CHECK_INT(query_render(q, &b), 0);
    CHECK_STR(b.data, "(+a +b)");
    query_free(q);
    /* query_render appends. */
    REQUIRE(query_parse(&q, "c", 1, plain_analyzer(), NULL, &e) == 0);
    CHECK_INT(query_render(q, &b), 0);
    CHECK_STR(b.data, "(+a +b)c");
    query_free(q);
    buf_free(&b);
}

TEST(test_query__parse_in_caller_arena)
{
    arena mem = {0};
    qnode *q = (qnode *)(uintptr_t)1;
    CHECK_INT(query_parse_in(NULL, &q, "a", 1, plain_analyzer(), NULL, NULL), LEDE_EINVAL);
    CHECK(q == NULL);
    /* Two trees in one arena, each intact after the other is made; a
     * failed parse in between leaves them (and the arena) usable. */
    qnode *t1 = NULL, *t2 = NULL, *t3 = (qnode *)(uintptr_t)1;
    query_error e;
    REQUIRE(query_parse_in(&mem, &t1, "\"a b\" -c title:d*", 17, plain_analyzer(), NULL, &e) == 0);
    CHECK_INT(query_parse_in(&mem, &t3, "(a", 2, plain_analyzer(), NULL, &e), LEDE_EQUERY);
    CHECK(t3 == NULL);
    CHECK_INT(e.column, 1);
    REQUIRE(query_parse_in(&mem, &t2, "x OR (y z)", 10, plain_analyzer(), NULL, &e) == 0);
    buf b = {0};
    CHECK_INT(query_render(t1, &b), 0);
    CHECK_STR(b.data, "(+\"a b\" -c +title:d*)");
    buf_clear(&b);
    CHECK_INT(query_render(t2, &b), 0);
    CHECK_STR(b.data, "(x (+y +z))");
    CHECK_INT(t1->kids[0]->column, 1);
    CHECK_INT(t1->kids[2]->column, 10);
    /* After a reset the arena serves the next query. */
    arena_reset(&mem);
    REQUIRE(query_parse_in(&mem, &t1, "date:2019 kim", 13, plain_analyzer(), NULL, &e) == 0);
    buf_clear(&b);
    CHECK_INT(query_render(t1, &b), 0);
    CHECK_STR(b.data, "(+date:[2019-01-01T00:00:00Z..2019-12-31T23:59:59Z] +kim)");
    buf_free(&b);
    arena_free(&mem);
}

/* ---- the shared benchmark queries ------------------------------------------------------------ */

/* Extracts the "query" string of one JSON line into out (handles the \"
 * and \\ escapes these files use). Returns its length, or -1. */
static long json_query(const char *line, char *out, size_t cap)
{
    const char *k = strstr(line, "\"query\"");
    if (!k)
        return -1;
    k += 7;
    while (*k == ' ' || *k == ':')
        k++;
    if (*k++ != '"')
        return -1;
    size_t n = 0;
    for (; *k && *k != '"'; k++) {
        if (*k == '\\') {
            k++;
            if (*k != '"' && *k != '\\' && *k != '/')
                return -1;
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = *k;
    }
    if (*k != '"')
        return -1;
    out[n] = '\0';
    return (long)n;
}

TEST(test_query__benchmark_queries_parse)
{
    const char *path = LEDE_SHARED_DIR "/queries/search-benchmark-game/queries.jsonl";
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "skip: %s not found\n", path);
        exit(77);
    }
    char line[4096], q[4096];
    size_t n_lines = 0, n_ok = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == '\0')
            continue;
        n_lines++;
        long len = json_query(line, q, sizeof q);
        if (len < 0) {
            T_FAIL("line %zu: cannot extract the query: %s", n_lines, line);
            continue;
        }
        int ok = 1;
        for (int any = 0; any <= 1; any++) {
            query_error e;
            qnode *t = NULL;
            query_opts o = {.any_default = any};
            int rc = query_parse(&t, q, (size_t)len, plain_analyzer(), &o, &e);
            if (rc != 0 || t == NULL) {
                T_FAIL("benchmark query %zu \"%s\" (any_default %d): rc %d at column %u: %s",
                       n_lines, q, any, rc, (unsigned)e.column, e.message);
                ok = 0;
            }
            query_free(t);
        }
        n_ok += (size_t)ok;
    }
    fclose(f);
    CHECK(n_lines > 0);
    CHECK_INT(n_ok, n_lines);
    /* Three of their shapes, by hand. */
    CHECK_STR(rq("+griffith +observatory"), "(+griffith +observatory)");
    CHECK_STR(rq("\"griffith observatory\""), "\"griffith observatory\"");
    CHECK_STR(rq_any("griffith observatory"), "(griffith observatory)");
}

TEST_MAIN()
