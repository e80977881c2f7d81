#pragma once
// lacbed's subcommands; each parses its own arguments and returns the exit status.
#include <string>
#include <vector>

namespace lacbed {

int train_command(const std::vector<std::string>& args);
int predict_command(const std::vector<std::string>& args);
int evaluate_command(const std::vector<std::string>& args);
int dataset_command(const std::vector<std::string>& args);
int simulate_command(const std::vector<std::string>& args);
int prepare_command(const std::vector<std::string>& args);
int pipeline_command(const std::vector<std::string>& args);

}  // namespace lacbed
