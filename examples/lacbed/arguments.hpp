#pragma once
// A small command-line parser for lacbed's subcommands: declared options with help text,
// "--name value" or "--name=value", flags, and one clear line for anything unexpected.
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace lacbed {

// A mistake in the command line: reported with the subcommand's usage hint, exit status 2.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Arguments {
public:
    Arguments(std::string command, std::string summary) : command_(std::move(command)), summary_(std::move(summary)) {}

    // Declares an option taking a value; an empty default makes it required unless `optional`.
    Arguments& option(const std::string& name, const std::string& help, const std::string& default_value = "",
                      bool required = false) {
        options_.push_back({name, help, default_value, required, false});
        return *this;
    }
    Arguments& flag(const std::string& name, const std::string& help) {
        options_.push_back({name, help, "", false, true});
        return *this;
    }

    // Returns false when --help was asked for (the help has been printed).
    bool parse(const std::vector<std::string>& args, std::ostream& help_out) {
        for (std::size_t i = 0; i < args.size(); ++i) {
            std::string arg = args[i];
            if (arg == "--help" || arg == "-h") {
                help_out << help();
                return false;
            }
            if (arg.rfind("--", 0) != 0)
                throw usage_error("unexpected argument '" + arg + "'; options start with --");
            std::string value;
            bool has_value = false;
            if (const auto eq = arg.find('='); eq != std::string::npos) {
                value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
                has_value = true;
            }
            const std::string name = arg.substr(2);
            const Declared* d = find(name);
            if (!d) throw usage_error("unknown option --" + name);
            if (d->is_flag) {
                if (has_value) throw usage_error("--" + name + " takes no value");
                flags_.insert(name);
                continue;
            }
            if (!has_value) {
                if (i + 1 >= args.size()) throw usage_error("--" + name + " needs a value");
                value = args[++i];
            }
            values_[name] = value;
        }
        for (const auto& d : options_)
            if (d.required && !values_.count(d.name)) throw usage_error("--" + d.name + " is required");
        return true;
    }

    bool has(const std::string& name) const { return values_.count(name) || flags_.count(name); }
    bool flag_set(const std::string& name) const { return flags_.count(name) != 0; }
    std::string get(const std::string& name) const {
        if (const auto it = values_.find(name); it != values_.end()) return it->second;
        const Declared* d = find(name);
        return d ? d->default_value : std::string();
    }
    double number(const std::string& name) const {
        const std::string text = get(name);
        try {
            std::size_t used = 0;
            const double v = std::stod(text, &used);
            if (used == text.size()) return v;
        } catch (const std::exception&) {
        }
        throw usage_error("--" + name + " must be a number, not '" + text + "'");
    }
    long long integer(const std::string& name, long long min = 0) const {
        const std::string text = get(name);
        long long v = 0;
        try {
            std::size_t used = 0;
            v = std::stoll(text, &used);
            if (used != text.size()) throw std::invalid_argument(text);
        } catch (const std::exception&) {
            throw usage_error("--" + name + " must be a whole number, not '" + text + "'");
        }
        if (v < min) throw usage_error("--" + name + " must be at least " + std::to_string(min));
        return v;
    }

    std::string help() const {
        std::ostringstream out;
        out << "usage: lacbed " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
        for (const auto& d : options_) {
            std::string left = "  --" + d.name + (d.is_flag ? "" : " VALUE");
            out << left << std::string(left.size() < 28 ? 28 - left.size() : 1, ' ') << d.help;
            if (d.required) out << " (required)";
            else if (!d.default_value.empty()) out << " (default " << d.default_value << ")";
            out << "\n";
        }
        out << "  --help                    this text\n";
        return out.str();
    }
    const std::string& command() const { return command_; }

private:
    struct Declared {
        std::string name, help, default_value;
        bool required, is_flag;
    };
    const Declared* find(const std::string& name) const {
        for (const auto& d : options_)
            if (d.name == name) return &d;
        return nullptr;
    }

    std::string command_, summary_;
    std::vector<Declared> options_;
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
};

}  // namespace lacbed
