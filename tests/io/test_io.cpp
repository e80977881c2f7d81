#include <doctest/doctest.h>

#include <gan/io/felix_bin.hpp>
#include <gan/io/npy.hpp>
#include <gan/io/png.hpp>
#include <gan/io/safetensors.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

const fs::path data = fs::path(GAN_TEST_DATA_DIR) / "io";

// The closed form tools/reference/make_io_fixtures.py fills its arrays with.
double pattern(std::size_t i) { return double(i % 97) / 96.0 - 0.25 * double(i % 3); }

// A fresh scratch folder per test case.
struct Scratch {
    fs::path dir;
    // The process id keeps test cases apart when ctest runs them in parallel.
    explicit Scratch(const std::string& name)
        : dir(fs::temp_directory_path() / ("gan_io_test_" + name + "_" + std::to_string(::getpid()))) {
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~Scratch() { fs::remove_all(dir); }
};

std::string slurp(const fs::path& p) { return gan::io::read_file_bytes(p); }

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const gan::error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("npy files written by numpy are read with their shapes and values") {
    const auto image = gan::io::read_npy_images<double>(data / "image_f32.npy");
    CHECK(image.shape() == gan::DynamicShape{1, 1, 5, 7});
    for (std::size_t i = 0; i < image.size(); ++i) REQUIRE(image.data()[i] == doctest::Approx(float(pattern(i))));

    const auto stack = gan::io::read_npy_images<float>(data / "stack_f64.npy");
    CHECK(stack.shape() == gan::DynamicShape{3, 1, 4, 6});
    for (std::size_t i = 0; i < stack.size(); ++i) REQUIRE(stack.data()[i] == float(pattern(i)));
}

TEST_CASE("npy files gan cannot use are refused with a message that says why") {
    CHECK(error_of([] { gan::io::read_npy_images<float>(data / "fortran.npy"); }).find("Fortran order") != std::string::npos);
    CHECK(error_of([] { gan::io::read_npy_images<float>(data / "int_image.npy"); }).find("float32 or float64") != std::string::npos);
    CHECK(error_of([] { gan::io::read_npy_images<float>(data / "missing.npy"); }).find("no such file") != std::string::npos);
    CHECK(error_of([] { gan::io::read_npy_images<float>(data / "gray8.png"); }).find("magic") != std::string::npos);

    Scratch scratch("npy_truncated");
    const std::string whole = slurp(data / "stack_f64.npy");
    std::ofstream(scratch.dir / "cut.npy", std::ios::binary) << whole.substr(0, whole.size() - 8);
    CHECK(error_of([&] { gan::io::read_npy_images<float>(scratch.dir / "cut.npy"); }).find("truncated") != std::string::npos);
}

TEST_CASE("npy round trip keeps bits and numpy's header rules") {
    Scratch scratch("npy_roundtrip");
    std::vector<float> values(2 * 3 * 5);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = float(pattern(i)) * 3.0f;
    gan::io::write_npy(scratch.dir / "a.npy", values.data(), {2, 3, 5});
    const std::string bytes = slurp(scratch.dir / "a.npy");
    CHECK((bytes.size() - values.size() * 4) % 64 == 0);  // header padded to 64 bytes
    const auto back = gan::io::read_npy_images<float>(scratch.dir / "a.npy");
    CHECK(back.shape() == gan::DynamicShape{2, 1, 3, 5});
    for (std::size_t i = 0; i < values.size(); ++i) REQUIRE(back.data()[i] == values[i]);
    // The same bytes numpy would write for this array (checked once against np.save; the
    // header text is what numpy 1.24 produces for a C-ordered float32 array).
    CHECK(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (2,3,5), }") != std::string::npos);
}

TEST_CASE("safetensors written by hand in Python are read") {
    const auto file = gan::io::read_safetensors(data / "tensors.safetensors");
    CHECK(file.meta("writer") == "make_io_fixtures.py");
    const auto& w = file.tensor("conv.weight");
    CHECK(w.dtype == gan::io::DType::f32);
    CHECK(w.shape == std::vector<std::size_t>{2, 3, 2, 2});
    const auto wv = w.values<double>();
    for (std::size_t i = 0; i < wv.size(); ++i) REQUIRE(wv[i] == double(float(pattern(i))));
    const auto var = file.tensor("bn.running_var").values<double>();
    REQUIRE(var.size() == 3);
    CHECK(var[2] == pattern(2));
    const auto& count = file.tensor("bn.num_batches_tracked");
    CHECK(count.shape.empty());
    CHECK(count.values<double>() == std::vector<double>{7.0});
    const std::string missing = error_of([&] { (void)file.tensor("conv.bias"); });
    CHECK(missing.find("conv.bias") != std::string::npos);
    CHECK(missing.find("tensors.safetensors") != std::string::npos);
}

TEST_CASE("safetensors round trip, truncation and corruption") {
    Scratch scratch("safetensors");
    gan::io::SafetensorsFile file;
    file.metadata["model"] = "UNet<7, 64>";
    const std::vector<double> a{1.5, -2.25, 3.0};
    const std::vector<float> b{0.5f, 0.25f};
    const std::int64_t steps = 12345;
    file.tensors["a"] = gan::io::StoredTensor::from_values({3}, a.data());
    file.tensors["b"] = gan::io::StoredTensor::from_values({1, 2}, b.data());
    file.tensors["step"] = gan::io::StoredTensor::from_int64({}, &steps);
    const fs::path path = scratch.dir / "model.safetensors";
    gan::io::write_safetensors(path, file);
    const auto back = gan::io::read_safetensors(path);
    CHECK(back.meta("model") == "UNet<7, 64>");
    CHECK(back.tensor("a").values<double>() == a);
    CHECK(back.tensor("b").values<float>() == b);
    CHECK(back.tensor("step").values<double>() == std::vector<double>{12345.0});

    const std::string whole = slurp(path);
    std::uint64_t header = 0;
    std::memcpy(&header, whole.data(), 8);
    CHECK(header % 8 == 0);
    for (std::size_t cut : {std::size_t(4), std::size_t(8 + header / 2), whole.size() - 3}) {
        std::ofstream(scratch.dir / "cut.safetensors", std::ios::binary | std::ios::trunc) << whole.substr(0, cut);
        const std::string message = error_of([&] { gan::io::read_safetensors(scratch.dir / "cut.safetensors"); });
        CAPTURE(cut);
        CHECK(message.find("not a valid safetensors file") != std::string::npos);
    }
}

// This process's resident memory in pages (Linux), or 0 where /proc cannot tell.
std::size_t resident_pages() {
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    statm >> size >> resident;
    return statm ? resident : 0;
}

TEST_CASE("a file read for loading is mapped, and a loaded tensor's pages can be let go") {
    Scratch scratch("mapped");
    const std::size_t n = std::size_t(1) << 22;  // 16 MiB of float32
    std::vector<float> values(n);
    for (std::size_t i = 0; i < n; ++i) values[i] = float(pattern(i));
    gan::io::SafetensorsFile file;
    file.tensors["w"] = gan::io::StoredTensor::borrowed(gan::io::DType::f32, {n}, values.data());
    const fs::path path = scratch.dir / "big.safetensors";
    gan::io::write_safetensors(path, file);

    const auto back = gan::io::read_safetensors(path);
    const auto& w = back.tensor("w");
    // Reads every byte of the tensor and allocates nothing (an allocation would move the
    // resident count, for good under AddressSanitizer's quarantine).
    const auto read_all = [&] { return std::memcmp(w.data().data(), values.data(), n * sizeof(float)) == 0; };
    if (w.mapping == nullptr || !w.mapping->mapped()) {
        MESSAGE("this system cannot map files: read whole instead");
        CHECK(read_all());
        return;
    }
    const std::size_t before = resident_pages();
    CHECK(read_all());  // faults the file's pages in
    const std::size_t touched = resident_pages();
    w.release_pages();
    const std::size_t released = resident_pages();
    if (before != 0) {
        const std::size_t file_pages = n * sizeof(float) / std::size_t(::sysconf(_SC_PAGESIZE));
        CAPTURE(before);
        CAPTURE(touched);
        CAPTURE(released);
        // The mapped pages count while they are used (not all of them: the kernel may drop
        // pages behind a sequential read by itself) and none of them once let go.
        CHECK(touched >= before + file_pages / 2);
        CHECK(released <= before + file_pages / 10);
    }
    CHECK(read_all());  // mapped in again, unchanged
}

TEST_CASE("an empty file is refused as safetensors, with its name") {
    Scratch scratch("empty");
    std::ofstream(scratch.dir / "empty.safetensors").close();
    const std::string message = error_of([&] { gan::io::read_safetensors(scratch.dir / "empty.safetensors"); });
    CHECK(message.find("empty.safetensors") != std::string::npos);
    CHECK(message.find("shorter than the 8-byte header") != std::string::npos);
    CHECK_THROWS_AS(gan::io::read_safetensors(scratch.dir / "absent.safetensors"), gan::io_error);
}

TEST_CASE("a failed write leaves the existing file untouched and no temporary behind") {
    Scratch scratch("atomic");
    const fs::path path = scratch.dir / "good.bin";
    gan::io::write_atomically(path, [](std::ostream& out) { out << "good data"; });
    CHECK_THROWS_AS(gan::io::write_atomically(path,
                                              [](std::ostream& out) {
                                                  out << "half of the bad";
                                                  throw gan::io_error("the writer found a NaN");
                                              }),
                    gan::io_error);
    CHECK(slurp(path) == "good data");
    CHECK(std::distance(fs::directory_iterator(scratch.dir), fs::directory_iterator{}) == 1);
    CHECK_THROWS_AS(gan::io::write_atomically(scratch.dir / "no" / "such" / "folder.bin", [](std::ostream&) {}),
                    gan::io_error);
}

TEST_CASE("PNG: 8- and 16-bit grayscale from Pillow, colour converted to gray, round trips") {
    const auto g8 = gan::io::read_png<double>(data / "gray8.png");
    CHECK(g8.shape() == gan::DynamicShape{1, 1, 6, 10});
    for (std::size_t i = 0; i < g8.size(); ++i) REQUIRE(g8.data()[i] == doctest::Approx(double(i * 4) / 255.0));
    const auto g16 = gan::io::read_png<double>(data / "gray16.png");
    for (std::size_t i = 0; i < g16.size(); ++i) REQUIRE(g16.data()[i] == doctest::Approx(double(i * 1000) / 65535.0));
    // Pure red through ITU-R 601 weights: 0.299 of full scale.
    const auto red = gan::io::read_png<double>(data / "red.png");
    CHECK(red.data()[0] == doctest::Approx(0.299).epsilon(0.01));

    Scratch scratch("png");
    std::vector<double> img(9 * 11);
    for (std::size_t i = 0; i < img.size(); ++i) img[i] = double(i) / double(img.size() - 1);
    img[5] = -0.5;                 // clipped to 0
    img[6] = 2.0;                  // clipped to 1
    img[7] = std::nan("");         // written as 0
    gan::io::write_png(scratch.dir / "a.png", img.data(), 9, 11, 16);
    const auto back = gan::io::read_png<double>(scratch.dir / "a.png");
    CHECK(back.shape() == gan::DynamicShape{1, 1, 9, 11});
    CHECK(back.data()[5] == 0.0);
    CHECK(back.data()[6] == 1.0);
    CHECK(back.data()[7] == 0.0);
    for (std::size_t i = 8; i < img.size(); ++i) REQUIRE(std::abs(back.data()[i] - img[i]) <= 0.5 / 65535.0 + 1e-12);
    gan::io::write_png(scratch.dir / "b.png", img.data(), 9, 11, 8);
    const auto back8 = gan::io::read_png<float>(scratch.dir / "b.png");
    for (std::size_t i = 8; i < img.size(); ++i) REQUIRE(std::abs(back8.data()[i] - img[i]) <= 0.5 / 255.0 + 1e-6);

    CHECK(error_of([&] { gan::io::read_png<float>(data / "image_f32.npy"); }).find("not a PNG") != std::string::npos);
    const std::string whole = slurp(scratch.dir / "a.png");
    std::ofstream(scratch.dir / "cut.png", std::ios::binary) << whole.substr(0, whole.size() / 2);
    CHECK_FALSE(error_of([&] { gan::io::read_png<float>(scratch.dir / "cut.png"); }).empty());
}

TEST_CASE("Felix .bin: raw float64 square images, side from the size") {
    Scratch scratch("felix_bin");
    std::vector<float> img(80 * 80);
    for (std::size_t i = 0; i < img.size(); ++i) img[i] = float(pattern(i));
    gan::io::write_felix_bin(scratch.dir / "GaAs_+0+0+0.bin", img.data(), 80);
    CHECK(fs::file_size(scratch.dir / "GaAs_+0+0+0.bin") == 51200);
    const auto back = gan::io::read_felix_bin<float>(scratch.dir / "GaAs_+0+0+0.bin");
    CHECK(back.shape() == gan::DynamicShape{1, 1, 80, 80});
    for (std::size_t i = 0; i < img.size(); ++i) REQUIRE(back.data()[i] == img[i]);
    std::ofstream(scratch.dir / "odd.bin", std::ios::binary) << std::string(8 * 80 * 79, '\0');
    CHECK(error_of([&] { gan::io::read_felix_bin<float>(scratch.dir / "odd.bin"); }).find("8·n²") != std::string::npos);
}
