// lacbed: the command-line face of gan for people who do not write C++.
//
//   lacbed train     --inputs DIR --targets DIR --output DIR     train a pix2pix model
//   lacbed predict   --model FILE --input PATH --output PATH     predict images with it
//   lacbed evaluate  --model FILE --inputs DIR --targets DIR     score it against targets
//   lacbed dataset   --output DIR --count N                      simulate training pairs
//   lacbed simulate  --cif FILE --output disc.npy                one crystal's (000) disc
//   lacbed prepare   --runs DIR --output DIR                     training pairs from Felix runs
//   lacbed pipeline  --output DIR                                dataset -> train -> evaluate
//
// Every failure is one line on stderr and a non-zero exit status: 1 for bad data or files,
// 2 for a mistake in the command line.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gan/core/error.hpp>

#include "arguments.hpp"
#include "commands.hpp"

namespace {

const char* const overview =
    "usage: lacbed <command> [options]\n"
    "\n"
    "Conditional GANs (pix2pix) between crystal structure images and LACBED patterns.\n"
    "\n"
    "commands:\n"
    "  train      train a U-Net generator against a PatchGAN on image pairs\n"
    "  predict    run a trained generator on an image or a folder of images\n"
    "  evaluate   MSE, PSNR, SSIM and correlation against targets, beside a mean-image baseline\n"
    "  dataset    simulate (structure image, (000) disc) pairs of cubic crystals, split by chemistry\n"
    "  simulate   the (000) LACBED disc of one CIF, from flags or from Felix's felix.inp\n"
    "  prepare    training pairs (structure image, (000) disc) from a folder of one's own Felix runs\n"
    "  pipeline   dataset, training and evaluation in one results folder (what scripts/run runs)\n"
    "\n"
    "'lacbed <command> --help' describes a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::cout << overview;
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "train") return lacbed::train_command(args);
        if (command == "predict") return lacbed::predict_command(args);
        if (command == "evaluate") return lacbed::evaluate_command(args);
        if (command == "dataset") return lacbed::dataset_command(args);
        if (command == "simulate") return lacbed::simulate_command(args);
        if (command == "prepare") return lacbed::prepare_command(args);
        if (command == "pipeline") return lacbed::pipeline_command(args);
        std::cerr << "lacbed: unknown command '" << command << "'; run 'lacbed --help'\n";
        return 2;
    } catch (const lacbed::usage_error& e) {
        std::cerr << "lacbed " << command << ": " << e.what() << " (see 'lacbed " << command << " --help')\n";
        return 2;
    } catch (const gan::error& e) {
        std::cerr << "lacbed " << command << ": " << e.what() << "\n";
        return 1;
    } catch (const std::filesystem::filesystem_error& e) {
        std::cerr << "lacbed " << command << ": " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "lacbed " << command << ": out of memory; use a smaller configuration or batch\n";
        return 1;
    }
}
