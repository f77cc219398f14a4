/* stopwords.h - English stop-word lists, for ranked free-text queries.
 *
 * Stop words stay in the index, so phrases such as "the who" keep working;
 * only the searcher's free-text mode (searcher/query.c, query_opts.stopwords)
 * leaves them out of the query (docs/QUERY.md, docs/RELEVANCE.md). Words are
 * compared after case folding and possessive removal and before stemming, as
 * in Lucene and Snowball.
 *  - STOPWORDS_LUCENE: the 33 words of Lucene's EnglishAnalyzer
 *    (ENGLISH_STOP_WORDS_SET): a an and are as at be but by for if in into is
 *    it no not of on or such that the their then there these they this to was
 *    will with;
 *  - STOPWORDS_SNOWBALL: the Snowball project's English list (Martin Porter),
 *    127 words, as PostgreSQL ships it (tsearch_data/english.stop): the
 *    pronouns, auxiliaries, articles, conjunctions, prepositions and
 *    quantifiers of the Lucene list and more (i, me, what, which, how, about,
 *    from, have, ...). */
#ifndef LEDE_STOPWORDS_H
#define LEDE_STOPWORDS_H

#include <stddef.h>

enum stopwords_list {
    STOPWORDS_NONE = 0,
    STOPWORDS_LUCENE = 1,
    STOPWORDS_SNOWBALL = 2
};

/* 1 when term[0..len) (an analyzed, unstemmed term) is in list l, else 0
 * (always 0 for STOPWORDS_NONE or an unknown list). */
int stopwords_has(enum stopwords_list l, const char *term, size_t len);

/* "none", "lucene", "snowball". */
const char *stopwords_name(enum stopwords_list l);
/* The list called name (as above), or -1. */
int stopwords_by_name(const char *name);

#endif
