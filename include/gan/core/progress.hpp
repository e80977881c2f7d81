#pragma once
// A progress bar with rate and ETA for long work (simulation, training).
//
// On a terminal it redraws one line in place; into a log file or pipe it writes a plain line at
// most every `log_interval` seconds, so CI logs stay readable. advance() may be called from
// several threads at once.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <limits>
#include <mutex>
#include <ostream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "gan/version.hpp"

GAN_NAMESPACE_BEGIN

// "1:02:03", "4:05", "0:07": hours only when needed.
inline std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long total = std::lround(seconds);
    const long h = total / 3600, m = (total / 60) % 60, s = total % 60;
    char text[32];
    if (h > 0) std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", h, m, s);
    else std::snprintf(text, sizeof text, "%ld:%02ld", m, s);
    return text;
}

class Progress {
public:
    using Clock = std::function<double()>;  // seconds since an arbitrary origin

    struct Options {
        std::ostream* out = nullptr;     // nullptr: standard error
        bool interactive = false;        // redraw in place (set automatically for a terminal)
        double log_interval = 10.0;      // seconds between lines when not interactive
        Clock clock = [] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
        };
    };

    Progress(std::string label, std::size_t total) : Progress(std::move(label), total, default_options()) {}
    Progress(std::string label, std::size_t total, Options options)
        : label_(std::move(label)), total_(total), options_(std::move(options)), start_(options_.clock()) {}
    ~Progress() {
        if (!finished_) finish();
    }

    // Marks `count` units as done by an earlier run (a resumed training, say): they count towards
    // the percentage but not the rate, so the ETA is not flattered by work this process never did.
    void resume_from(std::size_t count) {
        std::lock_guard lock(mutex_);
        resumed_ += count;
        done_.fetch_add(count);
    }

    // Marks `count` more units done; `note` (a loss, say) is shown after the ETA.
    void advance(std::size_t count = 1, const std::string& note = "") {
        const std::size_t done = done_.fetch_add(count) + count;
        const double now = options_.clock();
        std::lock_guard lock(mutex_);
        if (!note.empty()) note_ = note;
        // In a log, the line for the last unit is left to finish(), which adds the total time.
        if (options_.interactive || (now - last_print_ >= options_.log_interval && done < total_)) {
            last_print_ = now;
            print(done, now, false);
        }
    }

    // Prints the final line (with the total time) once.
    void finish() {
        std::lock_guard lock(mutex_);
        if (finished_) return;
        finished_ = true;
        print(done_.load(), options_.clock(), true);
    }

    std::size_t done() const { return done_.load(); }

    // Seconds left, by the average rate so far; infinity before any progress.
    double eta_seconds() const { return eta_at(done_.load(), options_.clock() - start_); }

private:
    static Options default_options() {
        Options o;
        o.interactive = ::isatty(STDERR_FILENO) == 1;
        return o;
    }

    void print(std::size_t done, double now, bool final) {
        std::ostringstream line;
        const double elapsed = now - start_;
        const double fraction = total_ ? double(std::min(done, total_)) / double(total_) : 1.0;
        line << label_ << " ";
        if (options_.interactive) {
            constexpr int width = 30;
            const int filled = int(fraction * width);
            line << "[" << std::string(std::size_t(filled), '#') << std::string(std::size_t(width - filled), '.') << "] ";
        }
        char percent[16];
        std::snprintf(percent, sizeof percent, "%3.0f%%", 100.0 * fraction);
        line << percent << " " << done << "/" << total_;
        if (elapsed > 0 && done > resumed_) {
            char rate[32];
            std::snprintf(rate, sizeof rate, " %.3g/s", double(done - resumed_) / elapsed);
            line << rate;
        }
        if (final) line << " done in " << format_duration(elapsed);
        else line << " elapsed " << format_duration(elapsed) << " ETA " << format_duration(eta_at(done, elapsed));
        if (!note_.empty()) line << "  " << note_;
        std::ostream& out = options_.out ? *options_.out : std::cerr;
        if (options_.interactive) out << "\r" << line.str() << "\x1b[K" << (final ? "\n" : "");
        else out << line.str() << "\n";
        out.flush();
    }

    double eta_at(std::size_t done, double elapsed) const {
        if (done >= total_) return 0;
        if (done <= resumed_ || elapsed <= 0) return std::numeric_limits<double>::infinity();
        return elapsed / double(done - resumed_) * double(total_ - done);
    }

    std::string label_;
    std::size_t total_;
    Options options_;
    double start_;
    double last_print_ = -1e300;
    std::atomic<std::size_t> done_{0};
    std::size_t resumed_ = 0;  // of done_, the units an earlier run did
    std::mutex mutex_;
    std::string note_;
    bool finished_ = false;
};

GAN_NAMESPACE_END
