/* bench/xapian_peer.cc - the Xapian side of bench/search.sh: builds a Xapian
 * database from the document dump that bench_search wrote (the very documents
 * lede and FTS5 indexed, read once through lede's ingestion) and times the
 * same queries (WORKDIR/queries.tsv), printing the same JSON lines.
 *
 * Indexing: Xapian::TermGenerator without stemming (STEM_NONE; it lower-cases
 * but, unlike lede and FTS5's unicode61, keeps diacritics), title indexed
 * unprefixed with wdf 2 (lede weights a title match twice a body match) and
 * with the prefix "S", then a gap of 100 positions so that no phrase spans
 * title and body, then the body, all with positions. The date, when a
 * document has one, is value slot 0 (sortable_serialise of its seconds).
 * Bulk load in one go, commit, then Database::compact, as a bulk load is
 * normally finished (lede is optimized to one segment and FTS5 gets
 * 'optimize' likewise).
 * Queries are Xapian::Query objects built directly (no QueryParser):
 *   term Query(w); intersection OP_AND; union OP_OR; phrase OP_PHRASE with
 *   window = number of words; negated OP_AND_NOT(a, OP_OR(b...)); prefix
 *   OP_WILDCARD (expansion unlimited, combined with OP_SYNONYM, the default)
 *   under OP_SCALE_WEIGHT 0, because lede scores a prefix a constant (so the
 *   top 10 are the first 10 matches in document order, in all three);
 *   date OP_FILTER(Query(w), OP_VALUE_RANGE on slot 0).
 * Ranking BM25Weight(k1 1.2, k2 0, k3 1, b 0.75, min_normlen 0.5) to match
 * lede's k1 and b; the top 10 from Enquire::get_mset(0, 10).
 *
 * usage: xapian_peer [--runs R] [--skip-build] --name CORPUS WORKDIR
 *   reads WORKDIR/xapian.tsv and WORKDIR/queries.tsv (formats: bench/search.c),
 *   writes WORKDIR/xapian/ and WORKDIR/times-xapian.tsv, prints JSON lines. */
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const Xapian::valueno DATE_SLOT = 0;
volatile Xapian::docid g_sink; /* results are read, so no work is dead */

double now_us()
{
    using namespace std::chrono;
    return duration<double, std::micro>(steady_clock::now().time_since_epoch()).count();
}

/* Splits on tabs, undoing the dump's escapes (\\ \t \n \r). */
std::vector<std::string> split_tsv(const std::string &line)
{
    std::vector<std::string> out(1);
    for (size_t i = 0; i < line.size(); i++) {
        char c = line[i];
        if (c == '\t') {
            out.emplace_back();
        } else if (c == '\\' && i + 1 < line.size()) {
            char n = line[++i];
            out.back() += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
        } else {
            out.back() += c;
        }
    }
    return out;
}

std::vector<std::string> split_words(const std::string &s)
{
    std::vector<std::string> w;
    std::istringstream in(s);
    std::string x;
    while (in >> x)
        w.push_back(x);
    return w;
}

int build(const std::string &work, const std::string &name)
{
    std::string dump = work + "/xapian.tsv", tmp = work + "/xapian.tmp", dir = work + "/xapian";
    std::ifstream in(dump);
    if (!in) {
        std::cerr << "xapian_peer: cannot read " << dump << " (run bench_search first)\n";
        return 1;
    }
    /* One flush at the end rather than every 10,000 documents. */
    setenv("XAPIAN_FLUSH_THRESHOLD", "1000000", 1);
    std::string cmd = "rm -rf '" + tmp + "' '" + dir + "'";
    if (std::system(cmd.c_str()) != 0)
        return 1;
    double t0 = now_us();
    uint64_t n = 0;
    {
        Xapian::WritableDatabase db(tmp, Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::TermGenerator tg;
        tg.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);
        std::string line;
        while (std::getline(in, line)) {
            std::vector<std::string> f = split_tsv(line);
            if (f.size() != 3) {
                std::cerr << "xapian_peer: " << dump << ":" << n + 1 << ": expected 3 fields\n";
                return 1;
            }
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(f[1], 1, "S");
            tg.index_text(f[1], 2);
            tg.increase_termpos(100);
            tg.index_text(f[2]);
            if (!f[0].empty())
                doc.add_value(DATE_SLOT, Xapian::sortable_serialise(std::strtod(f[0].c_str(), nullptr)));
            db.add_document(doc);
            n++;
        }
        db.commit();
    }
    double t1 = now_us();
    Xapian::Database(tmp).compact(dir);
    double t2 = now_us();
    cmd = "rm -rf '" + tmp + "'";
    if (std::system(cmd.c_str()) != 0)
        return 1;
    std::printf("{\"corpus\":\"%s\",\"engine\":\"xapian\",\"build_seconds\":%.3f,"
                "\"compact_seconds\":%.3f,\"docs\":%llu}\n",
                name.c_str(), (t2 - t0) / 1e6, (t2 - t1) / 1e6, (unsigned long long)n);
    std::fflush(stdout);
    return 0;
}

struct bquery {
    std::string type;
    std::vector<std::string> words;
    double lo = 0, hi = 0;
};

Xapian::Query to_xapian(const bquery &q)
{
    using Q = Xapian::Query;
    const auto &w = q.words;
    if (q.type == "term")
        return Q(w[0]);
    if (q.type == "intersection")
        return Q(Q::OP_AND, w.begin(), w.end());
    if (q.type == "union")
        return Q(Q::OP_OR, w.begin(), w.end());
    if (q.type == "phrase")
        return Q(Q::OP_PHRASE, w.begin(), w.end(), (Xapian::termcount)w.size());
    if (q.type == "negated")
        return Q(Q::OP_AND_NOT, Q(w[0]), Q(Q::OP_OR, w.begin() + 1, w.end()));
    if (q.type == "prefix")
        return Q(Q::OP_SCALE_WEIGHT, Q(Q::OP_WILDCARD, w[0]), 0.0);
    /* date */
    return Q(Q::OP_FILTER, Q(w[0]),
             Q(Q::OP_VALUE_RANGE, DATE_SLOT, Xapian::sortable_serialise(q.lo),
               Xapian::sortable_serialise(q.hi)));
}

int run_queries(const std::string &work, const std::string &name, int runs)
{
    std::string qpath = work + "/queries.tsv";
    std::ifstream in(qpath);
    if (!in) {
        std::cerr << "xapian_peer: cannot read " << qpath << "\n";
        return 1;
    }
    std::vector<bquery> qs;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f = split_tsv(line);
        if (f.size() != 5) {
            std::cerr << "xapian_peer: " << qpath << ": expected 5 fields\n";
            return 1;
        }
        bquery q;
        q.type = f[0];
        q.words = split_words(f[2]);
        if (f[3] != "-") {
            q.lo = std::strtod(f[3].c_str(), nullptr);
            q.hi = std::strtod(f[4].c_str(), nullptr);
        }
        if (q.words.empty() || (q.type == "negated" && q.words.size() < 2)) {
            std::cerr << "xapian_peer: " << qpath << ": malformed query line\n";
            return 1;
        }
        qs.push_back(q);
    }
    Xapian::Database db(work + "/xapian");
    Xapian::Enquire enq(db);
    enq.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
    std::vector<size_t> hits(qs.size());
    std::vector<std::string> ids(qs.size());
    bool record = true; /* the top-10 ids of the first (warm-up) run */
    auto once = [&](size_t i) {
        enq.set_query(to_xapian(qs[i]));
        Xapian::MSet m = enq.get_mset(0, 10);
        size_t h = 0;
        for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it, ++h) {
            g_sink = g_sink + *it + (Xapian::docid)it.get_weight();
            if (record)
                ids[i] += (h ? "," : "") + std::to_string(*it - 1);
        }
        hits[i] = h;
    };
    for (size_t i = 0; i < qs.size(); i++) /* warm-up */
        once(i);
    record = false;
    std::vector<std::vector<double>> t(qs.size(), std::vector<double>(runs));
    for (int r = 0; r < runs; r++)
        for (size_t i = 0; i < qs.size(); i++) {
            double t0 = now_us();
            once(i);
            t[i][r] = now_us() - t0;
        }
    std::vector<double> med(qs.size());
    for (size_t i = 0; i < qs.size(); i++) {
        std::sort(t[i].begin(), t[i].end());
        med[i] = t[i][t[i].size() / 2];
    }
    std::ofstream per(work + "/times-xapian.tsv");
    for (size_t i = 0; i < qs.size(); i++)
        per << i << '\t' << qs[i].type << '\t' << med[i] << '\t' << hits[i] << '\t'
            << (ids[i].empty() ? "-" : ids[i]) << '\n';
    const char *types[] = {"term", "intersection", "union", "phrase", "negated", "prefix", "date"};
    for (const char *ty : types) {
        std::vector<double> v;
        double sum_hits = 0;
        for (size_t i = 0; i < qs.size(); i++)
            if (qs[i].type == ty) {
                v.push_back(med[i]);
                sum_hits += (double)hits[i];
            }
        if (v.empty())
            continue;
        std::sort(v.begin(), v.end());
        /* nearest rank, as bench/search.c computes it */
        size_t p99 = (size_t)std::ceil(0.99 * (double)v.size()) - 1;
        std::printf("{\"corpus\":\"%s\",\"engine\":\"xapian\",\"type\":\"%s\",\"queries\":%zu,"
                    "\"runs\":%d,\"median_us\":%.1f,\"p99_us\":%.1f,\"mean_hits\":%.2f}\n",
                    name.c_str(), ty, v.size(), runs, v[(v.size() - 1) / 2], v[p99],
                    sum_hits / (double)v.size());
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    int runs = 5, skip_build = 0, i = 1;
    std::string name = "corpus";
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!std::strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--name") && i + 1 < argc)
            name = argv[++i];
        else if (!std::strcmp(argv[i], "--skip-build"))
            skip_build = 1;
        else
            break;
    }
    if (argc - i != 1) {
        std::fprintf(stderr, "usage: xapian_peer [--runs R] [--skip-build] --name CORPUS WORKDIR\n");
        return 2;
    }
    std::string work = argv[i];
    try {
        if (!skip_build && build(work, name))
            return 1;
        return run_queries(work, name, runs);
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian_peer: " << e.get_description() << "\n";
        return 1;
    }
}
