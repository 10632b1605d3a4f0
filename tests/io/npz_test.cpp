// .npz weights tests: round trips, the archives numpy writes (fixtures made by
// tests/io/fixtures/make_fixtures.py), and every bad file giving a weights_error
// that names the file while the model's parameters stay exactly as they were.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ctgraph/io/weights.hpp"
#include "golden_feature/golden_feature.hpp"

#ifndef CTGRAPH_SOURCE_DIR
#define CTGRAPH_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
using ctgraph::weights_error;

namespace {

template <std::size_t Batch = 4, class Scalar = float>
using golden = ctgraph::model<golden_feature::graph_type, Batch, Scalar>;

fs::path fixture(const char* name) { return fs::path(CTGRAPH_SOURCE_DIR) / "tests" / "io" / "fixtures" / name; }

/// A fresh folder under the temp directory, removed with everything in it when it goes out of scope.
struct temp_dir {
  fs::path path;
  temp_dir() {
    static int count = 0;
    path = fs::temp_directory_path() /
           ("ctgraph_npz_test_" + std::to_string(::getpid()) + "_" + std::to_string(count++));
    fs::create_directories(path);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path operator/(const std::string& name) const { return path / name; }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(path)) out.push_back(entry.path().filename().string());
    std::ranges::sort(out);
    return out;
  }
};

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

/// Bit patterns, so that -0.0 and NaN compare as what they are.
template <class Scalar>
std::vector<std::uint64_t> bits(std::span<const Scalar> values) {
  std::vector<std::uint64_t> out;
  for (const Scalar v : values) {
    if constexpr (sizeof(Scalar) == 4) out.push_back(std::bit_cast<std::uint32_t>(v));
    else out.push_back(std::bit_cast<std::uint64_t>(v));
  }
  return out;
}

/// The message load_weights throws for `file`, after checking that the parameters did not change.
template <class Model>
std::string load_error(Model& model, const fs::path& file) {
  const auto before = bits<typename Model::scalar>(model.parameters());
  std::string message;
  try {
    ctgraph::load_weights(model, file);
  } catch (const weights_error& e) {
    message = e.what();
  }
  CHECK(bits<typename Model::scalar>(model.parameters()) == before);
  CHECK_MESSAGE(message.starts_with(file.string() + ": "), message);
  return message;
}

/// golden_feature's arrays as views of `model`, optionally leaving one out or adding one.
template <class Model>
std::vector<ctgraph::npz_array_view> views_of(const Model& model, const std::string& leave_out = "") {
  std::vector<ctgraph::npz_array_view> views;
  const auto parameters = model.parameters();
  for (const auto& p : Model::parameter_table())
    if (p.name != leave_out) views.push_back({p.name, p.shape, parameters.subspan(p.offset, p.size)});
  return views;
}

}  // namespace

TEST_CASE("npz: save then load round-trips exactly (float)") {
  temp_dir dir;
  golden<4, float> saved(1), loaded(2);
  // Values a text format would lose: -0, a denormal, the extremes, infinity and NaN.
  auto p = saved.parameters();
  p[0] = -0.0f;
  p[1] = std::numeric_limits<float>::denorm_min();
  p[2] = std::numeric_limits<float>::max();
  p[3] = std::numeric_limits<float>::lowest();
  p[4] = std::numeric_limits<float>::infinity();
  p[5] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE(bits<float>(saved.parameters()) != bits<float>(loaded.parameters()));
  ctgraph::save_weights(saved, dir / "w.npz");
  ctgraph::load_weights(loaded, dir / "w.npz");
  CHECK(bits<float>(loaded.parameters()) == bits<float>(saved.parameters()));
  CHECK(dir.files() == std::vector<std::string>{"w.npz"});
}

TEST_CASE("npz: save then load round-trips exactly (double)") {
  temp_dir dir;
  golden<4, double> saved(1), loaded(2);
  auto p = saved.parameters();
  p[0] = -0.0;
  p[1] = std::numeric_limits<double>::denorm_min();
  p[2] = 0.1;  // not a float
  p[3] = std::numeric_limits<double>::quiet_NaN();
  ctgraph::save_weights(saved, dir / "w.npz");
  ctgraph::load_weights(loaded, dir / "w.npz");
  CHECK(bits<double>(loaded.parameters()) == bits<double>(saved.parameters()));
}

TEST_CASE("npz: the archive holds one array per parameter, named and shaped as parameter_table()") {
  temp_dir dir;
  const golden<4, float> f(1);
  const golden<4, double> d(1);
  ctgraph::save_weights(f, dir / "f.npz");
  ctgraph::save_weights(d, dir / "d.npz");
  const auto table = golden<>::parameter_table();
  for (const auto& [file, descr] : {std::pair{"f.npz", "<f4"}, std::pair{"d.npz", "<f8"}}) {
    const auto arrays = ctgraph::read_npz(dir / file);
    REQUIRE(arrays.size() == table.size());
    for (std::size_t i = 0; i < table.size(); ++i) {
      CHECK(arrays[i].name == table[i].name);
      CHECK(arrays[i].shape == table[i].shape);
      CHECK(arrays[i].descr == descr);
      CHECK(arrays[i].values.size() == table[i].size);
    }
  }
  CHECK(table[0].name == "attention_vec.kernel");
  CHECK(table[0].shape == std::vector<std::size_t>{20, 20});
  // numpy's own header text, padded so that the data starts at a multiple of 64 bytes.
  const std::string bytes = read_bytes(dir / "f.npz");
  const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (20, 100), }";
  const auto at = bytes.find(header);
  REQUIRE(at != std::string::npos);
  CHECK(bytes.substr(at - 10, 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK(bytes.find("'shape': (100,), }") != std::string::npos);
  const auto end = bytes.find('\n', at);
  CHECK((end + 1 - (at - 10)) % 64 == 0);
  // Equal models give equal files: no clock, no randomness in the bytes.
  ctgraph::save_weights(f, dir / "again.npz");
  CHECK(read_bytes(dir / "again.npz") == bytes);
}

TEST_CASE("npz: a model saved at batch 256 loads into the same graph at batch 1") {
  temp_dir dir;
  golden<256, float> trained(7);
  golden<1, float> deployed(8);
  ctgraph::save_weights(trained, dir / "w.npz");
  ctgraph::load_weights(deployed, dir / "w.npz");
  CHECK(bits<float>(deployed.parameters()) == bits<float>(trained.parameters()));
  // And it predicts the same for the same sample.
  for (std::size_t j = 0; j < golden_feature::features; ++j)
    trained.input()[j] = deployed.input()[j] = float(j) / 20.0f;
  trained.forward();
  deployed.forward();
  CHECK(deployed.output()[0] == doctest::Approx(trained.output()[0]).epsilon(1e-6));
}

TEST_CASE("npz: reads numpy's float32, float64 and compressed fixtures to the exact values") {
  // make_fixtures.py: the k-th number, in parameter_table() order, is k / 1000 in the file's dtype.
  const auto table = golden<>::parameter_table();
  // np.savez_compressed deflates its members (zip method 8): the same float32 values.
  for (const char* name : {"golden_feature_f32.npz", "golden_feature_f64.npz", "golden_feature_compressed.npz"}) {
    CAPTURE(name);
    const bool f32 = std::string(name).find("f64") == std::string::npos;
    const auto arrays = ctgraph::read_npz(fixture(name));
    REQUIRE(arrays.size() == table.size());
    golden<4, float> as_float(1);
    golden<4, double> as_double(1);
    ctgraph::load_weights(as_float, fixture(name));
    ctgraph::load_weights(as_double, fixture(name));
    std::size_t k = 0, wrong = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
      CHECK(arrays[i].name == table[i].name);
      CHECK(arrays[i].shape == table[i].shape);
      CHECK(arrays[i].descr == (f32 ? "<f4" : "<f8"));
      for (std::size_t j = 0; j < table[i].size; ++j, ++k) {
        const double exact = f32 ? double(float(k) / 1000.0f) : double(k) / 1000.0;
        wrong += arrays[i].values[j] != exact;
        wrong += as_double.parameters()[table[i].offset + j] != exact;
        wrong += as_float.parameters()[table[i].offset + j] != float(exact);  // float64 rounds once, to nearest
      }
    }
    CHECK(k == golden<>::parameter_count);
    CHECK(wrong == 0);
  }
  // The compressed fixture really is deflated: its method is 8, and it is smaller than the stored one.
  const std::string compressed = read_bytes(fixture("golden_feature_compressed.npz"));
  REQUIRE(compressed.size() > 30);
  CHECK(compressed.substr(0, 4) == "PK\x03\x04");
  CHECK((unsigned char)compressed[8] == 8);
  CHECK(compressed.size() < read_bytes(fixture("golden_feature_f32.npz")).size());
}

TEST_CASE("npz: a damaged deflate member is refused naming it, the parameters unchanged") {
  temp_dir dir;
  golden<4, float> model(3);
  std::string bytes = read_bytes(fixture("golden_feature_compressed.npz"));
  // The first member's data starts after its 30-byte local header, name and extra field.
  const std::size_t data = 30 + std::size_t((unsigned char)bytes[26]) + 256 * std::size_t((unsigned char)bytes[27]) +
                           std::size_t((unsigned char)bytes[28]) + 256 * std::size_t((unsigned char)bytes[29]);
  for (std::size_t i = 0; i < 8; ++i) bytes[data + 40 + i] ^= char(0x5a);
  write_bytes(dir / "bad_deflate.npz", bytes);
  const std::string message = load_error(model, dir / "bad_deflate.npz");
  CHECK_MESSAGE(message.find("attention_vec.kernel.npy") != std::string::npos, message);
  CHECK_MESSAGE((message.find("cannot be inflated") != std::string::npos ||
                 message.find("fails its CRC-32 check") != std::string::npos), message);
}

TEST_CASE("npz: reads .npy versions 1.0, 2.0 and 3.0, streamed archives and zip64 directories") {
  const auto versions = ctgraph::read_npz(fixture("npy_versions.npz"));
  REQUIRE(versions.size() == 3);
  CHECK(versions[0].name == "v1");
  CHECK(versions[0].shape == std::vector<std::size_t>{2});
  CHECK(versions[0].values == std::vector<double>{0.5, -1.25});
  CHECK(versions[1].name == "v2");
  CHECK(versions[1].shape == std::vector<std::size_t>{2, 3});
  CHECK(versions[1].values == std::vector<double>{0.0, 0.001, 0.002, 0.003, 0.004, 0.005});
  CHECK(versions[2].name == "v3");
  CHECK(versions[2].shape.empty());
  CHECK(versions[2].values == std::vector<double>{3.5});

  // Streamed: sizes after the data, zeros in the local headers. zip64: the central directory of an archive
  // past 4 GiB (sizes and offsets in zip64 extra fields, a zip64 end record). Both hold the same two arrays.
  for (const char* name : {"streamed.npz", "zip64.npz"}) {
    CAPTURE(name);
    const auto arrays = ctgraph::read_npz(fixture(name));
    REQUIRE(arrays.size() == 2);
    CHECK(arrays[0].name == "a");
    CHECK(arrays[0].descr == "<f4");
    CHECK(arrays[0].values[4] == double(4.0f / 1000.0f));
    CHECK(arrays[1].name == "b.kernel");
    CHECK(arrays[1].shape == std::vector<std::size_t>{3, 2});
    CHECK(arrays[1].values[5] == 0.005);
  }
}

TEST_CASE("npz: numpy's bad files give their message and leave the parameters unchanged") {
  golden<4, float> model(3);
  struct bad_case {
    const char* file;
    std::vector<const char*> says;
  };
  const std::vector<bad_case> cases = {
      {"golden_feature_wrong_shape.npz", {": dense_1.kernel has shape (20, 99) in the file, the graph's is (20, 100)"}},
      {"bad_int64.npz", {": attention_vec.kernel.npy has dtype int64 ('<i8'); ctgraph reads float32"}},
      {"bad_big_endian.npz", {": attention_vec.kernel.npy has dtype big-endian float64 ('>f8')", "astype('<f8')"}},
      {"bad_fortran.npz", {": attention_vec.kernel.npy is stored in Fortran order", "np.ascontiguousarray"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.file);
    const std::string message = load_error(model, fixture(c.file));
    for (const char* part : c.says) CHECK_MESSAGE(message.find(part) != std::string::npos, message);
  }
  golden<4, double> as_double(3);
  CHECK(load_error(as_double, fixture("bad_int64.npz")).find("int64") != std::string::npos);
}

TEST_CASE("npz: damaged, truncated and foreign files give their message and leave the parameters unchanged") {
  temp_dir dir;
  golden<4, float> source(5), model(6);
  ctgraph::save_weights(source, dir / "good.npz");
  const std::string good = read_bytes(dir / "good.npz");
  REQUIRE(good.size() > 1000);
  const auto patch = [](std::string bytes, std::size_t at, std::uint32_t value, unsigned n) {
    for (unsigned i = 0; i < n; ++i) bytes[at + i] = char((value >> (8 * i)) & 0xFF);
    return bytes;
  };
  const auto patched = [&](std::size_t at, std::uint32_t value, unsigned n) { return patch(good, at, value, n); };
  const std::size_t last_entry = good.rfind("PK\x01\x02");  // the central directory's last entry
  std::mt19937 rng(11);
  std::string noise(5000, '\0');
  for (char& c : noise) c = char(rng());
  std::string flipped = good;
  flipped[good.find('\n', good.find("'shape'")) + 5] ^= 0x40;  // a byte of attention_vec.kernel's data

  struct bad_case {
    std::string name, bytes, says;
  };
  const std::vector<bad_case> cases = {
      {"empty.npz", "", "is empty (0 bytes), not an .npz archive"},
      {"tiny.npz", "PK", "is not an .npz archive: it is not a zip file"},
      {"noise.npz", noise, "is not an .npz archive: it is not a zip file"},
      {"text.npz", "5.1,3.5,1.4,0.2,setosa\n", "is not an .npz archive: it is not a zip file"},
      {"single.npy", good.substr(good.find("\x93NUMPY")), "is a single .npy array (np.save), not an .npz archive"},
      {"half.npz", good.substr(0, good.size() / 2), "is truncated or corrupt: it starts as a zip archive but has no"},
      {"last_byte.npz", good.substr(0, good.size() - 1), "is truncated or corrupt"},
      {"cd_outside.npz", patched(good.size() - 6, std::uint32_t(good.size() + 100), 4),
       "is truncated or corrupt: its central directory ("},
      {"cd_huge.npz", patched(good.size() - 10, 0xFFFFFFF0u, 4), "lies outside the file"},
      {"local_outside.npz", patched(last_entry + 42, 0x7FFFFFFFu, 4), "is missing or lies outside"},
      {"size_outside.npz", patch(patched(last_entry + 20, 0x00FFFFFFu, 4), last_entry + 24, 0x00FFFFFFu, 4),
       "runs past the end of the file"},
      {"crc.npz", flipped, "attention_vec.kernel.npy fails its CRC-32 check"},
      {"method.npz", patched(last_entry + 10, 12, 2), "is compressed (zip method 12)"},
      {"encrypted.npz", patched(last_entry + 8, 1, 2), "is encrypted"},
      {"entries.npz", patched(good.size() - 12, 0xFFFF, 2), "is too small for 65535 entries"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    write_bytes(dir / c.name, c.bytes);
    const std::string message = load_error(model, dir / c.name);
    CHECK_MESSAGE(message.find(c.says) != std::string::npos, message);
  }
  CHECK(load_error(model, dir / "missing.npz").ends_with(": cannot open: No such file or directory"));
  fs::create_directory(dir / "folder.npz");
  CHECK(load_error(model, dir / "folder.npz").ends_with(": cannot read: it is a directory"));
}

TEST_CASE("npz: missing, extra, duplicate and out-of-range arrays name the first mismatch") {
  temp_dir dir;
  golden<4, float> model(3);
  const golden<4, double> source(4);

  ctgraph::write_npz(dir / "missing.npz", views_of(source, "dense_2.bias"));
  CHECK(load_error(model, dir / "missing.npz")
            .ends_with(": has no array dense_2.bias, the graph's parameter of shape (20,)"));

  auto renamed = views_of(source);
  renamed[3].name = "dense_1.bias_old";
  ctgraph::write_npz(dir / "renamed.npz", renamed);
  CHECK(load_error(model, dir / "renamed.npz")
            .ends_with(": has no array dense_1.bias, the graph's parameter of shape (100,); its arrays that match no "
                       "parameter: dense_1.bias_old"));

  auto extra = views_of(source);
  const std::vector<float> w = {1, 2, 3};
  extra.push_back({"extra.w", {3}, std::span<const float>(w)});
  ctgraph::write_npz(dir / "extra.npz", extra);
  CHECK(load_error(model, dir / "extra.npz").ends_with(": holds arrays that are not parameters of the graph: extra.w"));

  // Two members of one name: made by renaming b.npy to a.npy in both of its headers.
  const std::vector<double> one = {1}, two = {2};
  ctgraph::write_npz(dir / "two.npz",
                     {{"a", {1}, std::span<const double>(one)}, {"b", {1}, std::span<const double>(two)}});
  std::string bytes = read_bytes(dir / "two.npz");
  for (std::size_t at; (at = bytes.find("b.npy")) != std::string::npos;) bytes[at] = 'a';
  write_bytes(dir / "duplicate.npz", bytes);
  CHECK(load_error(model, dir / "duplicate.npz").ends_with(": holds two arrays named a"));

  // float64 values that a float model cannot hold are refused, not turned into infinity.
  golden<4, double> huge(4);
  huge.parameters()[425] = 1e300;
  ctgraph::save_weights(huge, dir / "huge.npz");
  CHECK(load_error(model, dir / "huge.npz").ends_with(": dense_1.kernel holds 1e+300, out of the range of float"));
  golden<4, double> wide(9);
  ctgraph::load_weights(wide, dir / "huge.npz");
  CHECK(wide.parameters()[425] == 1e300);
}

TEST_CASE("npz: a failed save throws naming the file and leaves no temporary behind") {
  temp_dir dir;
  const golden<4, float> model(1);
  const auto message_of = [&](const fs::path& file) {
    try {
      ctgraph::save_weights(model, file);
    } catch (const weights_error& e) {
      CHECK_MESSAGE(std::string(e.what()).starts_with(file.string() + ": cannot save: "), e.what());
      return std::string(e.what());
    }
    FAIL("no error saving to " << file);
    return std::string();
  };

  CHECK(message_of(dir / "no_such_folder" / "w.npz").find("No such file or directory") != std::string::npos);
  fs::create_directory(dir / "taken.npz");
  CHECK(message_of(dir / "taken.npz").ends_with(": it is a directory"));
  CHECK(message_of(dir.path / "sub" / "").ends_with(": it names a folder, not a file"));
  CHECK(dir.files() == std::vector<std::string>{"taken.npz"});

  // A write that fails half way (the file size limit stands in for a full disk): the temporary goes, and the
  // file already there keeps its old contents.
  write_bytes(dir / "w.npz", "old weights");
  rlimit old_limit{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  const std::string message = message_of(dir / "w.npz");
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  CHECK_MESSAGE(message.find("cannot write") != std::string::npos, message);
  CHECK(read_bytes(dir / "w.npz") == "old weights");
  CHECK(dir.files() == std::vector<std::string>{"taken.npz", "w.npz"});

  // And a good save replaces it whole.
  ctgraph::save_weights(model, dir / "w.npz");
  golden<4, float> loaded(2);
  ctgraph::load_weights(loaded, dir / "w.npz");
  CHECK(bits<float>(loaded.parameters()) == bits<float>(model.parameters()));
  CHECK(dir.files() == std::vector<std::string>{"taken.npz", "w.npz"});
}

TEST_CASE("npz: write_npz refuses arrays whose values do not fill their shape, or names given twice") {
  temp_dir dir;
  const std::vector<float> five(5);
  CHECK_THROWS_WITH_AS(ctgraph::write_npz(dir / "w.npz", {{"a", {2, 3}, std::span<const float>(five)}}),
                       "ctgraph: write_npz: a has 5 values, its shape (2, 3) holds 6", std::invalid_argument);
  CHECK_THROWS_AS(ctgraph::write_npz(dir / "w.npz", {{"a", {5}, std::span<const float>(five)},
                                                     {"a", {5}, std::span<const float>(five)}}),
                  std::invalid_argument);
  CHECK(dir.files().empty());
}
