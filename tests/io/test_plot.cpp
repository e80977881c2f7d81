#include <doctest/doctest.h>

#include <gan/io/figures.hpp>
#include <gan/io/plot.hpp>
#include <gan/io/png.hpp>

#include <cmath>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace {
// Whether any pixel of the raster has exactly this colour.
bool contains_color(const gan::io::Raster& r, gan::io::Rgb c) {
    for (const auto& p : r.pixels())
        if (p.r == c.r && p.g == c.g && p.b == c.b) return true;
    return false;
}
}  // namespace

TEST_CASE("text is drawn from the 5x7 font; unknown characters stay blank") {
    gan::io::Raster r(40, 10);
    CHECK(r.text(1, 1, "L1", {0, 0, 0}) == 12);
    // 'L' is a vertical bar on its left column and a full bottom row.
    for (int y = 1; y < 8; ++y) CHECK(r.get(1, y).r == 0);
    for (int x = 1; x < 6; ++x) CHECK(r.get(x, 7).r == 0);
    CHECK(r.get(3, 3).r == 255);
    gan::io::Raster blank(20, 10);
    blank.text(1, 1, "~", {0, 0, 0});
    CHECK_FALSE(contains_color(blank, {0, 0, 0}));
}

TEST_CASE("a loss plot draws every series in its colour, with the legend, and survives NaN") {
    gan::io::Series d{"D", {}, gan::io::palette(0)}, g{"G_L1", {}, gan::io::palette(1)};
    for (int i = 0; i < 200; ++i) {
        d.values.push_back(0.7 + 0.1 * std::sin(i * 0.3));
        g.values.push_back(30.0 * std::exp(-i / 50.0));
    }
    g.values[17] = std::nan("");
    gan::io::LinePlotOptions options;
    options.title = "losses";
    options.log_y = true;
    options.smoothing = 5;
    const auto image = gan::io::plot_lines({d, g}, options);
    CHECK(image.width() == 960);
    CHECK(contains_color(image, gan::io::palette(0)));
    CHECK(contains_color(image, gan::io::palette(1)));
    CHECK_THROWS_AS(gan::io::plot_lines({}), gan::invalid_argument);

    const auto path = std::filesystem::temp_directory_path() / ("gan_test_plot_" + std::to_string(::getpid()) + ".png");
    gan::io::write_png(path, image);
    const auto back = gan::io::read_png<float>(path);  // read back as gray: size must match
    CHECK(back.shape() == gan::DynamicShape{1, 1, 540, 960});
    std::filesystem::remove(path);
}

TEST_CASE("ticks fall on 1-2-5 multiples") {
    const auto t = gan::io::detail::nice_ticks(0.0, 1.0, 5);
    REQUIRE(t.size() == 6);
    CHECK(t[1] == doctest::Approx(0.2));
    const auto u = gan::io::detail::nice_ticks(-3.2, 47.0, 6);  // raw step 8.4 rounds up to 10
    CHECK(u.front() == doctest::Approx(0.0));
    CHECK(u[1] == doctest::Approx(10.0));
}

TEST_CASE("the prediction grid lays out one labelled row per sample and checks the image sizes") {
    gan::io::GridRow row{"s1", std::vector<float>(8 * 6, 0.2f), std::vector<float>(8 * 6, 0.5f), std::vector<float>(8 * 6, 0.7f)};
    const auto image = gan::io::prediction_grid({row, row}, 8, 6, 2);
    CHECK(image.width() == 8 + 4 * (6 * 2 + 8));
    CHECK(image.height() == 22 + 2 * (8 * 2 + 14 + 8));
    // The error column shows the largest error in the darkest red.
    CHECK(contains_color(image, gan::io::error_color(1.0)));
    row.target.pop_back();
    CHECK_THROWS_AS(gan::io::prediction_grid({row}, 8, 6), gan::shape_error);
}
