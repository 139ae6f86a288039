// A small test harness for the Qt-free engine tests, so they build on machines without Qt
// (the GPU machine). CHECK records and continues, REQUIRE stops the case, SKIP marks the
// case skipped with a reason. A binary whose every case skipped exits 77 (CTest: skipped).
#pragma once

#include <cmath>
#include <functional>
#include <sstream>
#include <string>

namespace seekbench::test {

struct Case {
    const char* name;
    std::function<void()> body;
};

int register_case(const char* name, std::function<void()> body);
void record_failure(const char* file, int line, const std::string& what);

struct Skipped {
    std::string reason;
};
struct Stop {};

template <typename A, typename B>
std::string describe_pair(const A& a, const B& b)
{
    std::ostringstream out;
    out << "  left:  " << a << "\n  right: " << b;
    return out.str();
}

} // namespace seekbench::test

#define SB_CAT2(a, b) a##b
#define SB_CAT(a, b) SB_CAT2(a, b)
#define TEST_CASE(name)                                                                          \
    static void SB_CAT(test_fn_, __LINE__)();                                                    \
    static const int SB_CAT(test_reg_, __LINE__) =                                               \
        ::seekbench::test::register_case(name, SB_CAT(test_fn_, __LINE__));                      \
    static void SB_CAT(test_fn_, __LINE__)()

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond))                                                                             \
            ::seekbench::test::record_failure(__FILE__, __LINE__, "CHECK(" #cond ")");           \
    } while (0)
#define REQUIRE(cond)                                                                            \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            ::seekbench::test::record_failure(__FILE__, __LINE__, "REQUIRE(" #cond ")");         \
            throw ::seekbench::test::Stop{};                                                     \
        }                                                                                        \
    } while (0)
#define REQUIRE_MSG(cond, msg)                                                                   \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            std::ostringstream sb_msg;                                                           \
            sb_msg << "REQUIRE(" #cond "): " << msg;                                             \
            ::seekbench::test::record_failure(__FILE__, __LINE__, sb_msg.str());                 \
            throw ::seekbench::test::Stop{};                                                     \
        }                                                                                        \
    } while (0)
#define CHECK_EQ(a, b)                                                                           \
    do {                                                                                         \
        const auto sb_a = (a);                                                                   \
        const auto sb_b = (b);                                                                   \
        if (!(sb_a == sb_b))                                                                     \
            ::seekbench::test::record_failure(__FILE__, __LINE__,                                \
                "CHECK_EQ(" #a ", " #b ")\n" + ::seekbench::test::describe_pair(sb_a, sb_b));    \
    } while (0)
#define CHECK_MSG(cond, msg)                                                                     \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            std::ostringstream sb_msg;                                                           \
            sb_msg << "CHECK(" #cond "): " << msg;                                               \
            ::seekbench::test::record_failure(__FILE__, __LINE__, sb_msg.str());                 \
        }                                                                                        \
    } while (0)
// Passes when `expr` throws seekbench::Error whose message contains `needle`.
#define CHECK_THROWS_WITH(expr, needle)                                                          \
    do {                                                                                         \
        bool sb_threw = false;                                                                   \
        try {                                                                                    \
            (void)(expr);                                                                        \
        } catch (const ::seekbench::Error& sb_e) {                                               \
            sb_threw = true;                                                                     \
            if (std::string(sb_e.what()).find(needle) == std::string::npos)                      \
                ::seekbench::test::record_failure(__FILE__, __LINE__,                            \
                    std::string("error message lacks '") + (needle) + "': " + sb_e.what());      \
        }                                                                                        \
        if (!sb_threw)                                                                           \
            ::seekbench::test::record_failure(__FILE__, __LINE__, "no Error thrown by " #expr);  \
    } while (0)
#define SKIP(reason) throw ::seekbench::test::Skipped{reason}
