// SPDX-License-Identifier: Apache-2.0
// Writes the seed corpora of the fuzz targets into <dir>/<target>/: small inputs,
// valid and malformed, that reach each reader's branches. Nothing is copied from
// real data sets. Usage: fuzz_make_seeds <dir>
#include <nacs/core/matrix.hpp>
#include <nacs/io/npy.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

void put(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

std::string criteo_line(const std::string& label, const std::string& first_int = "5",
                        const std::string& first_cat = "68fd1e64") {
  std::string s = label + "\t" + first_int;
  for (int i = 1; i < 13; ++i) s += "\t" + std::to_string(i * 7 % 50);
  s += "\t" + first_cat;
  for (int i = 1; i < 26; ++i) s += i % 5 == 0 ? std::string("\t") : "\t" + std::string("0a1b2c3") + static_cast<char>('0' + i % 10);
  return s;
}

// A .npy file by hand: magic, version, header dict (padded to 64 bytes), values.
std::string npy_bytes(int major, const std::string& dict, const std::string& values) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  const auto len = static_cast<std::uint32_t>(header.size());
  s += static_cast<char>(len & 0xff);
  s += static_cast<char>((len >> 8) & 0xff);
  if (major != 1) {
    s += static_cast<char>((len >> 16) & 0xff);
    s += static_cast<char>(len >> 24);
  }
  return s + header + values;
}

template <class T>
std::string values_of(std::initializer_list<T> v) {
  std::string s;
  for (T x : v) s.append(reinterpret_cast<const char*>(&x), sizeof x);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds <dir>\n");
    return 2;
  }
  const fs::path root = argv[1];

  const fs::path criteo = root / "fuzz_criteo";
  put(criteo, "rows", criteo_line("0") + "\n" + criteo_line("1", "", "") + "\n\n" + criteo_line("0", "-3") + "\n");
  put(criteo, "crlf_bom", "\xEF\xBB\xBF" + criteo_line("1") + "\r\n" + criteo_line("0", "2") + "\r\n");
  put(criteo, "malformed", criteo_line("2") + "\n" + criteo_line("1", "99999999999999999999") + "\n" +
                               criteo_line("0", "1x") + "\n" + criteo_line("1", "3", "ZZZZZZZZ") + "\n" +
                               criteo_line("1", "3", "ffffffff") + "\n1\t2\t3\n");
  put(criteo, "header_like", "label\tI1\tI2\n" + criteo_line("1") + "\n");

  const fs::path avazu = root / "fuzz_avazu";
  const std::string avazu_header =
      "id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,app_category,device_id,"
      "device_ip,device_model,device_type,device_conn_type,C14,C15,C16,C17,C18,C19,C20,C21\n";
  const std::string avazu_row = "1000009418151094273,0,14102100,1005,0,1fbe01fe,f3845767,28905ebd,ecad2386,7801e8d9,"
                                "07d7df22,a99f214a,ddd2926e,44956a24,1,2,15706,320,50,1722,0,35,-1,79\n";
  put(avazu, "header", avazu_header + avazu_row + "\n" + avazu_row);
  put(avazu, "no_header", avazu_row + avazu_row);
  put(avazu, "small", "click,hour,site\n1,14102923,\"a,b\"\n0,14103100,x\n1,99999999,y\n2,14102100,z\n0,14102100,\"q\"r\n");
  put(avazu, "quoted_lines", "id,click,site\n7,1,\"two\nlines\"\n8,0,\"never closed\n");

  const fs::path libsvm = root / "fuzz_libsvm";
  put(libsvm, "libsvm", "1 1:1 2:1\n-1 3:1 4:0.5\n+1 5:1 7:1\n\n0 9:1 10:1\n");
  put(libsvm, "libffm", "1 0:1:1 1:5:1\n0 1:7:1 0:3:1\n1 0:2:1 2:4:1\n");
  put(libsvm, "malformed", "2 1:1 2:1\n1\n1 a:b 2:1\n1 1:1 2:nan\n1 1:1 1:1 1:1\n1 4294967296:1 2:1\n");
  put(libsvm, "tabs", "1\t1:1\t2:1\r\n0 \t 3:1  4:1 \n");

  const fs::path csv = root / "fuzz_csv";
  // The first byte picks the options (see fuzz_csv.cpp): delimiter (bits 0-1), integer values (bit 2),
  // soft labels (bit 3), a weight column (bit 4).
  put(csv, "hash_comma", std::string(1, '\x00') + "y,a,b,w\n1,x,y,0.5\n0,\"q,r\",z,2\n\n1,x,\"a\"\"b\",1\n");
  put(csv, "int_semicolon_weights", std::string(1, '\x15') + "a;y;b;w\n5;1;7;0.25\n6;0;8;3\n-1;1;2;1\n5;1;7;-2\n");
  put(csv, "soft_tab", std::string(1, '\x0a') + "y\ta\tb\n0.25\tx\ty\n1.5\tx\ty\n");
  put(csv, "pipe_crlf", std::string(1, '\x03') + "\xEF\xBB\xBFy|b|a\r\n1|u|v\r\n0|\"multi\nline\"|w\r\n");
  put(csv, "bad_header", std::string(1, '\x00') + "y,a\n1,2\n");

  const fs::path npy = root / "fuzz_npy";
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  put(npy, "f4_v1", npy_bytes(1, f4, values_of<float>({1.f, -2.f, 3.5f, 0.f})));
  put(npy, "f8_v2", npy_bytes(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                              values_of<double>({1.0, 1e300, -0.0})));
  put(npy, "f4_v3_empty", npy_bytes(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", ""));
  put(npy, "trailing", npy_bytes(1, f4, values_of<float>({1.f, 2.f, 3.f, 4.f, 5.f})));
  put(npy, "truncated", npy_bytes(1, f4, values_of<float>({1.f, 2.f})));
  put(npy, "huge_shape", npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (200000000, 4), }",
                                   std::string(16, '\0')));
  put(npy, "overflow", npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 4), }",
                                 ""));
  put(npy, "fortran_i8", npy_bytes(1, "{'descr': '<i8', 'fortran_order': True, 'shape': (1, 1), }",
                                   values_of<std::int64_t>({1})));
  {
    nacs::matrix<double> m(3, 2);
    for (std::size_t i = 0; i < 6; ++i) m.data()[i] = static_cast<double>(i) / 3.0;
    const fs::path p = npy / "written";
    fs::create_directories(npy);
    nacs::write_npy<double>(p.string(), m.view());
  }
  const fs::path coreset = root / "fuzz_coreset_file";
  put(coreset, "coreset", "row,weight,label\n0,1.5,0.25\n7,2,1\n7,0.5,0\n");
  put(coreset, "greedy", "# picks\nindex,gain,weight\n3,12.5,4\n\n1,0.25,1 # a comment\n");
  put(coreset, "rows", "\xEF\xBB\xBF" "5\r\n2\n9\n");
  put(coreset, "rows_weights", "5,0.5\n2 3\n9\t1e-3\n");
  put(coreset, "bad", "row,weight\n1,-2\n-1,1\n1,1e39\n");
  return 0;
}
