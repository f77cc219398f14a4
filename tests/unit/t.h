/* t.h - lede's minimal unit-test harness.
 *
 * A test file defines cases with TEST(test_<module>__<case>) and ends with
 * TEST_MAIN(). tests/CMakeLists.txt finds the TEST(...) lines and registers
 * each case as its own ctest test, run as `<binary> <case-name>`; with no
 * argument the binary runs every case. CHECK* macros record a failure with
 * file:line and go on; REQUIRE* stop the case. */
#ifndef LEDE_T_H
#define LEDE_T_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*t_fn)(void);
struct t_case {
    const char *name;
    t_fn fn;
};

#define T_MAX_CASES 256
static struct t_case t_cases[T_MAX_CASES];
static int t_n_cases;
static int t_failed;

#define TEST(name)                                                            \
    static void name(void);                                                   \
    __attribute__((constructor)) static void name##_register(void)           \
    {                                                                         \
        if (t_n_cases < T_MAX_CASES)                                          \
            t_cases[t_n_cases++] = (struct t_case){#name, name};              \
    }                                                                         \
    static void name(void)

#define T_FAIL(...)                                                           \
    do {                                                                      \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                       \
        fprintf(stderr, __VA_ARGS__);                                         \
        fputc('\n', stderr);                                                  \
        t_failed = 1;                                                         \
    } while (0)

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond))                                                          \
            T_FAIL("check failed: %s", #cond);                                \
    } while (0)

#define REQUIRE(cond)                                                         \
    do {                                                                      \
        if (!(cond)) {                                                        \
            T_FAIL("requirement failed: %s", #cond);                          \
            return;                                                           \
        }                                                                     \
    } while (0)

#define CHECK_INT(a, b)                                                       \
    do {                                                                      \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);               \
        if (t_a_ != t_b_)                                                     \
            T_FAIL("%s == %lld, expected %s == %lld", #a, t_a_, #b, t_b_);    \
    } while (0)

#define CHECK_STR(a, b)                                                       \
    do {                                                                      \
        const char *t_a_ = (a), *t_b_ = (b);                                  \
        if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0)                        \
            T_FAIL("%s is \"%s\", expected \"%s\"", #a, t_a_ ? t_a_ : "(null)",\
                   t_b_ ? t_b_ : "(null)");                                   \
    } while (0)

/* Compares a (pointer, length) pair with a C string. */
#define CHECK_MEM(p, len, b)                                                  \
    do {                                                                      \
        const char *t_p_ = (const char *)(p), *t_b_ = (b);                    \
        size_t t_l_ = (size_t)(len);                                          \
        if (t_l_ != strlen(t_b_) || memcmp(t_p_, t_b_, t_l_) != 0)            \
            T_FAIL("%s is \"%.*s\", expected \"%s\"", #p, (int)t_l_, t_p_, t_b_); \
    } while (0)

#define TEST_MAIN()                                                           \
    int main(int argc, char **argv)                                           \
    {                                                                         \
        int ran = 0;                                                          \
        for (int i = 0; i < t_n_cases; i++) {                                 \
            if (argc > 1 && strcmp(argv[1], t_cases[i].name) != 0)            \
                continue;                                                     \
            int before = t_failed;                                            \
            t_failed = 0;                                                     \
            t_cases[i].fn();                                                  \
            fprintf(stderr, "%s %s\n", t_failed ? "FAIL" : "ok  ", t_cases[i].name); \
            t_failed |= before;                                               \
            ran++;                                                            \
        }                                                                     \
        if (ran == 0) {                                                       \
            fprintf(stderr, "no test case named %s\n", argc > 1 ? argv[1] : "(any)"); \
            return 2;                                                         \
        }                                                                     \
        return t_failed ? 1 : 0;                                              \
    }

#endif
