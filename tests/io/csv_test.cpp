// CSV reader tests: iris.csv as shipped, and every bad input giving a data_error
// that names the file, line and column, never a crash or a partial data set.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <unistd.h>

#include "ctgraph/io/csv.hpp"

namespace fs = std::filesystem;
using ctgraph::csv_format;
using ctgraph::data_error;
using ctgraph::read_csv;

namespace {

const csv_format iris_format{.inputs = 4, .targets = 1, .class_names = {"setosa", "versicolor", "virginica"}};

/// data/iris.csv, found from this source file so that no build-system support is needed.
fs::path iris_path() {
  // Meson gives __FILE__ relative to the build root (the executable's parent's parent), a hand-made build
  // relative to the working directory or absolute; try each.
  const fs::path source = __FILE__;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (const fs::path& base : {fs::current_path(), exe.parent_path().parent_path()}) {
    const fs::path candidate = (source.is_absolute() ? source : base / source).parent_path() / "../../data/iris.csv";
    if (fs::exists(candidate)) return candidate.lexically_normal();
  }
  FAIL("data/iris.csv not found from " << __FILE__);
  return {};
}

/// A file under the temp directory holding `text`, removed when it goes out of scope.
struct temp_file {
  fs::path path;
  explicit temp_file(const std::string& text, const std::string& suffix = ".csv") {
    static int count = 0;
    path = fs::temp_directory_path() /
           ("ctgraph_csv_test_" + std::to_string(::getpid()) + "_" + std::to_string(count++) + suffix);
    std::ofstream(path, std::ios::binary) << text;
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// The message read_csv throws for `text`, or "" if it reads it.
template <class S = float>
std::string error_of(const std::string& text, const csv_format& format = iris_format) {
  temp_file file(text);
  try {
    (void)read_csv<S>(file.path, format);
  } catch (const data_error& e) {
    return e.what();
  }
  return "";
}

/// The message with the temp file's name replaced by "F", so that tests can compare whole messages.
template <class S = float>
std::string message_of(const std::string& text, const csv_format& format = iris_format) {
  temp_file file(text);
  try {
    (void)read_csv<S>(file.path, format);
  } catch (const data_error& e) {
    std::string m = e.what();
    const std::string name = file.path.string();
    if (m.starts_with(name)) m.replace(0, name.size(), "F");
    return m;
  }
  return "";
}

const std::string header = "sepal_length,sepal_width,petal_length,petal_width,species\n";

}  // namespace

TEST_CASE("csv: reads data/iris.csv into 150 samples of 4 values and a class index") {
  const auto data = read_csv(iris_path(), iris_format);
  REQUIRE(data.size() == 150);
  REQUIRE(data.x.shape()[1] == 4);
  REQUIRE(data.y.shape()[1] == 1);
  CHECK(data.x(0, 0) == 5.1f);
  CHECK(data.x(0, 3) == 0.2f);
  CHECK(data.x(149, 0) == 5.9f);
  CHECK(data.y(0, 0) == 0);
  CHECK(data.y(149, 0) == 2);
  // The well-known facts: 50 of each species in order, column means 5.843, 3.057, 3.758, 1.199.
  for (std::size_t i = 0; i < 150; ++i) CHECK(data.y(i, 0) == float(i / 50));
  const double means[] = {5.843, 3.057, 3.758, 1.199};
  for (std::size_t c = 0; c < 4; ++c) {
    double sum = 0;
    for (std::size_t i = 0; i < 150; ++i) sum += data.x(i, c);
    CHECK(sum / 150 == doctest::Approx(means[c]).epsilon(1e-3));
  }
}

TEST_CASE("csv: reads double as well as float") {
  const auto data = read_csv<double>(iris_path(), iris_format);
  REQUIRE(data.size() == 150);
  CHECK(data.x(0, 0) == 5.1);
}

TEST_CASE("csv: class given as index or as name gives the same data") {
  const std::string rows_by_name = "5.1,3.5,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n6.3,3.3,6.0,2.5,virginica\n";
  const std::string rows_by_index = "5.1,3.5,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n";
  const std::string mixed = "5.1,3.5,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2.0\n";
  temp_file a(header + rows_by_name), b(rows_by_index), c(mixed);
  const auto da = read_csv(a.path, iris_format), db = read_csv(b.path, iris_format), dc = read_csv(c.path, iris_format);
  CHECK(da.x == db.x);
  CHECK(da.y == db.y);
  CHECK(da.x == dc.x);
  CHECK(da.y == dc.y);
  CHECK(da.y == xt::xtensor<float, 2>{{0}, {1}, {2}});
}

TEST_CASE("csv: a header, blank lines, CRLF, spaces, quotes and a byte order mark are tolerated") {
  const std::string text = "\xEF\xBB\xBF\"a\", b ,c,d,\"species\"\r\n\r\n  5.1 ,\t3.5,+1.4,\"0.2\", setosa \r\n\n   \n"
                           ".5,5.,-0,1e-3,2\r\n\r\n";
  temp_file file(text);
  const auto data = read_csv(file.path, iris_format);
  REQUIRE(data.size() == 2);
  CHECK(data.x == xt::xtensor<float, 2>{{5.1f, 3.5f, 1.4f, 0.2f}, {0.5f, 5.f, 0.f, 1e-3f}});
  CHECK(data.y == xt::xtensor<float, 2>{{0}, {2}});
}

TEST_CASE("csv: several targets and no class names") {
  temp_file file("x,t1,t2\n1,2,3\n4,5,6");  // no newline at the end
  const auto data = read_csv(file.path, {.inputs = 1, .targets = 2});
  CHECK(data.x == xt::xtensor<float, 2>{{1}, {4}});
  CHECK(data.y == xt::xtensor<float, 2>{{2, 3}, {5, 6}});
}

TEST_CASE("csv: a wrong column count names the file and line") {
  // message_of() turns the file's name into "F" only where the message starts with it.
  CHECK(message_of(header + "5.1,3.5,1.4,0.2,setosa\n\n4.9,3.0,1.4,setosa\n") ==
        "F:4: has 4 columns, expected 5 (4 inputs, 1 target)");
  CHECK(message_of("5.1,3.5,1.4,0.2,setosa,\n") == "F:1: has 6 columns, expected 5 (4 inputs, 1 target)");
  CHECK(message_of("a,b,c\n5.1,3.5,1.4,0.2,setosa\n") ==
        "F:1: the header has 3 columns, expected 5 (4 inputs, 1 target)");
}

TEST_CASE("csv: NaN and infinity are rejected with file, line and column") {
  for (const std::string bad : {"nan", "NaN", "-nan", "inf", "-inf", "+inf", "Infinity", "nan(1)"}) {
    CAPTURE(bad);
    CHECK(message_of(header + "5.1,3.5,1.4,0.2,setosa\n5.1,3.5," + bad + ",0.2,setosa\n") ==
          "F:3: column 3: \"" + bad + "\" is not a finite number (NaN and infinity are not allowed)");
  }
  // NaN on the first line is data, not a header.
  CHECK(message_of("nan,3.5,1.4,0.2,setosa\n") ==
        "F:1: column 1: \"nan\" is not a finite number (NaN and infinity are not allowed)");
}

TEST_CASE("csv: a value that overflows the scalar type is rejected; one that underflows reads as zero") {
  CHECK(message_of("1e40,3.5,1.4,0.2,setosa\n") == "F:1: column 1: \"1e40\" is out of the range of float");
  CHECK(message_of("-1e40,3.5,1.4,0.2,setosa\n") == "F:1: column 1: \"-1e40\" is out of the range of float");
  CHECK(message_of<double>("1e400,3.5,1.4,0.2,setosa\n") == "F:1: column 1: \"1e400\" is out of the range of double");
  CHECK(error_of<double>("1e40,3.5,1.4,0.2,setosa\n").empty());
  temp_file tiny("1e-50,3.5,1.4,0.2,setosa\n");
  CHECK(read_csv(tiny.path, iris_format).x(0, 0) == 0.0f);
}

TEST_CASE("csv: a field that is not a number is rejected, trailing junk included") {
  for (const std::string bad : {"1.5x", "x", "", "1e", "0x10", "1,5", "--1", "+", "1 2", "\"1"}) {
    CAPTURE(bad);
    const std::string m = error_of("5.1," + bad + ",1.4,0.2,setosa\n");
    CHECK(m.find(":1: ") != std::string::npos);
  }
  CHECK(message_of(header + "5.1,1.5x,1.4,0.2,setosa\n") ==
        "F:2: column 2: \"1.5x\" is not a number (class names go in the last column)");
  CHECK(message_of(header + "5.1,,1.4,0.2,setosa\n") ==
        "F:2: column 2: \"\" is not a number (class names go in the last column)");
  CHECK(message_of("1,1.5x\n", {.inputs = 1}) == "F:1: column 2: \"1.5x\" is not a number");
}

TEST_CASE("csv: an unknown class name is rejected") {
  CHECK(message_of(header + "5.1,3.5,1.4,0.2,setosa\n5.1,3.5,1.4,0.2,setosaa\n") ==
        "F:3: column 5: \"setosaa\" is not a number or a class name (setosa, versicolor, virginica)");
  // A typo on the first line is an error too, not a header quietly skipped.
  CHECK(message_of("5.1,3.5,1.4,0.2,Setosa\n") ==
        "F:1: column 5: \"Setosa\" is not a number or a class name (setosa, versicolor, virginica)");
}

TEST_CASE("csv: a class index out of range or not an integer is rejected") {
  CHECK(message_of("5.1,3.5,1.4,0.2,3\n") ==
        "F:1: column 5: class index \"3\" is out of range 0..2 (setosa, versicolor, virginica)");
  CHECK(message_of("5.1,3.5,1.4,0.2,-1\n") ==
        "F:1: column 5: class index \"-1\" is out of range 0..2 (setosa, versicolor, virginica)");
  CHECK(message_of("5.1,3.5,1.4,0.2,1.5\n") ==
        "F:1: column 5: class index \"1.5\" is not an integer 0..2 (setosa, versicolor, virginica)");
  CHECK(message_of("5.1,3.5,1.4,0.2,nan\n") ==
        "F:1: column 5: class index \"nan\" is not an integer 0..2 (setosa, versicolor, virginica)");
  CHECK(message_of("5.1,3.5,1.4,0.2,1e30\n").find("out of range") != std::string::npos);
}

TEST_CASE("csv: a missing file gets an error naming it") {
  const fs::path missing = fs::temp_directory_path() / "ctgraph_csv_test_no_such_file.csv";
  try {
    (void)read_csv(missing, iris_format);
    FAIL("no exception");
  } catch (const data_error& e) {
    CHECK(std::string(e.what()) == missing.string() + ": cannot open: No such file or directory");
  }
}

TEST_CASE("csv: a directory is rejected, not read") {
  const fs::path dir = fs::temp_directory_path() / ("ctgraph_csv_test_dir_" + std::to_string(::getpid()));
  fs::create_directory(dir);
  try {
    (void)read_csv(dir, iris_format);
    FAIL("no exception");
  } catch (const data_error& e) {
    CHECK(std::string(e.what()) == dir.string() + ": cannot read: it is a directory");
  }
  fs::remove(dir);
}

TEST_CASE("csv: an empty file or one with only a header is an error") {
  CHECK(message_of("") == "F:1: no data: the file is empty");
  CHECK(message_of("\n  \r\n\n") == "F:4: no data: the file is empty");
  CHECK(message_of(header) == "F:2: no data: the file has only a header");
  CHECK(message_of(header + "\n\n") == "F:4: no data: the file has only a header");
}

TEST_CASE("csv: control bytes and long fields are shown escaped and cut in messages") {
  const std::string nul_field("1\0002", 3);
  CHECK(message_of("5.1," + nul_field + ",1.4,0.2,setosa\n") ==
        "F:1: column 2: \"1\\x002\" is not a number (class names go in the last column)");
  const std::string m = message_of("5.1," + std::string(100000, '7') + "x,1.4,0.2,setosa\n");
  CHECK(m == "F:1: column 2: \"" + std::string(40, '7') + "...\" is not a number (class names go in the last column)");
}

TEST_CASE("csv: a bad format is a programming error, not a data error") {
  temp_file file("1,2\n");
  CHECK_THROWS_AS((void)read_csv(file.path, {.inputs = 0}), std::invalid_argument);
  CHECK_THROWS_AS((void)read_csv(file.path, {.inputs = 1, .targets = 0, .class_names = {"a"}}), std::invalid_argument);
  CHECK_THROWS_AS((void)read_csv(file.path, {.inputs = 1, .class_names = {"a", "a"}}), std::invalid_argument);
  CHECK_THROWS_AS((void)read_csv(file.path, {.inputs = 1, .class_names = {"a", ""}}), std::invalid_argument);
}

TEST_CASE("csv: random bytes and mangled iris never crash: the whole data set or a data_error") {
  std::mt19937_64 rng(2024);
  std::ifstream in(iris_path(), std::ios::binary);
  const std::string iris((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr char chars[] = "0123456789.,-+eE \t\r\n\"nainfsetosa\0\xff";
  const std::string alphabet(chars, sizeof chars - 1);  // the NUL too
  std::size_t read = 0, rejected = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text;
    switch (round % 3) {
      case 0:  // random bytes
        text.resize(rng() % 2000);
        for (char& c : text) c = char(rng());
        break;
      case 1:  // random CSV-ish characters
        text.resize(rng() % 2000);
        for (char& c : text) c = alphabet[rng() % alphabet.size()];
        break;
      default:  // iris with a few bytes changed, deleted or inserted
        text = iris;
        for (int k = 0, edits = int(rng() % 4); k < edits; ++k) {
          const std::size_t at = rng() % text.size();
          const char c = alphabet[rng() % alphabet.size()];
          if (rng() % 3 == 0) text.erase(at, 1);
          else if (rng() % 2 == 0) text.insert(at, 1, c);
          else text[at] = c;
        }
    }
    temp_file file(text);
    try {
      const auto data = read_csv(file.path, iris_format);
      ++read;
      CHECK(data.x.shape()[0] == data.y.shape()[0]);
      CHECK(data.x.shape()[1] == 4);
      CHECK(std::all_of(data.x.begin(), data.x.end(), [](float v) { return std::isfinite(v); }));
      CHECK(std::all_of(data.y.begin(), data.y.end(), [](float v) { return v == 0 || v == 1 || v == 2; }));
    } catch (const data_error& e) {
      ++rejected;
      CHECK(std::string(e.what()).starts_with(file.path.string() + ":"));
    }
  }
  CHECK(read + rejected == 300);
  CHECK(read > 0);  // some mangled iris files stay valid (e.g. a digit changed)
}
