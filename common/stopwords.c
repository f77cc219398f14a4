/* stopwords.c - English stop-word lists (contract and sources: stopwords.h).
 * Sorted static arrays and a binary search: the lists are fixed at compile
 * time, and tests/unit/test_query.c checks every word is found. */
#include "stopwords.h"

#include <string.h>

/* Lucene 8.8 EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, in strcmp order. */
static const char *const lucene[] = {
    "a",    "an",   "and",  "are",  "as",    "at",   "be",    "but",   "by",
    "for",  "if",   "in",   "into", "is",    "it",   "no",    "not",   "of",
    "on",   "or",   "such", "that", "the",   "their", "then", "there", "these",
    "they", "this", "to",   "was",  "will",  "with",
};

/* Snowball's English stop list as in PostgreSQL 15's english.stop, in strcmp
 * order. ("s", "t" and "don" are what other tokenizers leave of "it's" and
 * "don't"; kept as published.) */
static const char *const snowball[] = {
    "a",       "about",   "above",   "after",    "again",      "against", "all",     "am",
    "an",      "and",     "any",     "are",      "as",         "at",      "be",      "because",
    "been",    "before",  "being",   "below",    "between",    "both",    "but",     "by",
    "can",     "did",     "do",      "does",     "doing",      "don",     "down",    "during",
    "each",    "few",     "for",     "from",     "further",    "had",     "has",     "have",
    "having",  "he",      "her",     "here",     "hers",       "herself", "him",     "himself",
    "his",     "how",     "i",       "if",       "in",         "into",    "is",      "it",
    "its",     "itself",  "just",    "me",       "more",       "most",    "my",      "myself",
    "no",      "nor",     "not",     "now",      "of",         "off",     "on",      "once",
    "only",    "or",      "other",   "our",      "ours",       "ourselves", "out",   "over",
    "own",     "s",       "same",    "she",      "should",     "so",      "some",    "such",
    "t",       "than",    "that",    "the",      "their",      "theirs",  "them",    "themselves",
    "then",    "there",   "these",   "they",     "this",       "those",   "through", "to",
    "too",     "under",   "until",   "up",       "very",       "was",     "we",      "were",
    "what",    "when",    "where",   "which",    "while",      "who",     "whom",    "why",
    "will",    "with",    "you",     "your",     "yours",      "yourself", "yourselves",
};

static int find(const char *const *words, size_t n, const char *term, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *w = words[mid];
        size_t wl = strlen(w);
        int c = memcmp(w, term, wl < len ? wl : len);
        if (c == 0)
            c = (wl > len) - (wl < len);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int stopwords_has(enum stopwords_list l, const char *term, size_t len)
{
    switch (l) {
    case STOPWORDS_LUCENE:
        return find(lucene, sizeof lucene / sizeof lucene[0], term, len);
    case STOPWORDS_SNOWBALL:
        return find(snowball, sizeof snowball / sizeof snowball[0], term, len);
    case STOPWORDS_NONE:
        break;
    }
    return 0;
}

static const char *const names[] = {"none", "lucene", "snowball"};

const char *stopwords_name(enum stopwords_list l)
{
    return (unsigned)l < sizeof names / sizeof names[0] ? names[l] : "unknown";
}

int stopwords_by_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}
