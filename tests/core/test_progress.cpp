#include <doctest/doctest.h>

#include <gan/core/progress.hpp>

#include <limits>
#include <sstream>
#include <string>

namespace {

// Options writing to `out` on a clock the test sets by hand.
gan::Progress::Options options_for(std::ostream& out, const double& now, bool interactive) {
    gan::Progress::Options options;
    options.out = &out;
    options.interactive = interactive;
    options.clock = [&now] { return now; };
    return options;
}

}  // namespace

TEST_CASE("durations are formatted as m:ss or h:mm:ss") {
    CHECK(gan::format_duration(7) == "0:07");
    CHECK(gan::format_duration(245) == "4:05");
    CHECK(gan::format_duration(3723) == "1:02:03");
    CHECK(gan::format_duration(-1) == "?");
}

TEST_CASE("progress reports rate and ETA from the average rate, and logs sparsely into files") {
    double now = 100.0;
    std::ostringstream log;
    auto options = options_for(log, now, false);
    options.log_interval = 10.0;
    gan::Progress progress("simulating", 40, options);
    now = 110.0;
    progress.advance(10, "beams 52");
    // 10 units in 10 s: 30 left take 30 s.
    CHECK(progress.eta_seconds() == doctest::Approx(30.0));
    CHECK(log.str().find("simulating  25% 10/40 1/s elapsed 0:10 ETA 0:30  beams 52\n") != std::string::npos);
    now = 111.0;
    progress.advance(10);  // within the log interval: no new line
    CHECK(log.str().find("20/40") == std::string::npos);
    now = 130.0;
    progress.advance(20);  // the last unit is left to finish()
    CHECK(log.str().find("100% 40/40") == std::string::npos);
    progress.finish();
    CHECK(log.str().find("100% 40/40 1.33/s done in 0:30") != std::string::npos);
}

TEST_CASE("on a terminal the bar redraws one line in place") {
    double now = 0.0;
    std::ostringstream screen;
    const auto options = options_for(screen, now, true);
    {
        gan::Progress progress("training", 4, options);
        now = 2.0;
        progress.advance();
        CHECK(screen.str().find("\rtraining [#######.......................]  25% 1/4") != std::string::npos);
        CHECK(screen.str().find('\n') == std::string::npos);
    }  // the destructor finishes the line
    CHECK(screen.str().back() == '\n');
}

TEST_CASE("work resumed from an earlier run counts in the percentage but not in the rate or ETA") {
    double now = 0.0;
    std::ostringstream log;
    gan::Progress progress("training", 100, options_for(log, now, false));
    progress.resume_from(80);
    CHECK(progress.done() == 80);
    now = 1.0;
    CHECK(progress.eta_seconds() == std::numeric_limits<double>::infinity());  // no rate yet
    now = 5.0;
    progress.advance(10);
    // 10 units in 5 s: the 10 left take 5 s (counting the resumed 80 would claim 0.6 s).
    CHECK(progress.eta_seconds() == doctest::Approx(5.0));
    CHECK(log.str().find("training  90% 90/100 2/s elapsed 0:05 ETA 0:05\n") != std::string::npos);
    now = 10.0;
    progress.advance(10);
    progress.finish();
    CHECK(log.str().find("100% 100/100 2/s done in 0:10") != std::string::npos);

    // A run resumed after its last unit shows no rate (it used to claim billions per second).
    std::ostringstream finished_log;
    gan::Progress finished("training", 50, options_for(finished_log, now, false));
    finished.resume_from(50);
    finished.finish();
    CHECK(finished_log.str() == "training 100% 50/50 done in 0:00\n");
}
