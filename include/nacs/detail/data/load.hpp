// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/data/load.hpp: reading one file with the right reader, recording where rows are, the
// file and synthetic loads, and writing rows back in the input's format.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/detail/data/text.hpp>

namespace nacs {
namespace detail {

// Follows a read line by line (a progress callback every line) and records each kept row's lines:
// a row ends at the line where rows_read grows, and starts after the line where the previous row was
// kept or skipped. The caller's own progress callback still sees exactly the calls it asked for.
struct origin_tracker {
  std::vector<row_origin>* out = nullptr;
  read_progress_callback user{};
  std::int64_t last_event_line = 0;
  row_index rows = 0, skipped = 0;

  void see(const read_progress& p) {
    if (p.rows_read != rows) {
      out->push_back({last_event_line + 1, p.lines});
      last_event_line = p.lines;
    } else if (p.rows_skipped != skipped) {
      last_event_line = p.lines;
    }
    rows = p.rows_read;
    skipped = p.rows_skipped;
    if (user.fn && p.lines % user.every_lines == 0) user.fn(p);
  }
  // After the read: a row limit stops the reader right after the last row it keeps, before the callback.
  void finish(const parse_report& r) {
    if (r.rows_read > rows) out->push_back({last_event_line + 1, r.lines});
    NACS_EXPECTS(static_cast<row_index>(out->size()) == r.rows_read, errc::invalid_data,
                 cat("reading '", r.source, "': located ", out->size(), " of its ", r.rows_read,
                     " rows in the file; read it without keep_origins"));
  }
};

// Reads one file with the reader of o.format and the shared settings; records origins when asked.
inline read_result read_one(const load_options& o, const std::filesystem::path& path,
                            std::optional<std::size_t> sparse_fields, std::vector<row_origin>* origins) {
  read_progress_callback progress = o.read.on_progress;
  std::shared_ptr<origin_tracker> tracker;
  if (origins != nullptr) {
    NACS_EXPECTS(o.read.on_progress.every_lines >= 1, errc::invalid_argument,
                 cat("reading '", path.string(), "': on_progress.every_lines is ", o.read.on_progress.every_lines,
                     "; it must be >= 1"));
    tracker = std::make_shared<origin_tracker>();
    tracker->out = origins;
    tracker->user = o.read.on_progress;
    progress = {.fn = [tracker](const read_progress& p) { tracker->see(p); }, .every_lines = 1};
  }
  const auto with_common = [&](auto r) {
    r.read = o.read;
    r.read.on_progress = progress;
    return r;
  };
  read_result res;
  switch (o.format) {
    case data_format::criteo: {
      criteo_options c = with_common(criteo_options{});
      c.integers = o.criteo_integers;
      res = read_criteo(path, c);
      break;
    }
    case data_format::avazu: {
      avazu_options a = with_common(avazu_options{});
      a.header = o.avazu_header;
      res = read_avazu(path, a);
      break;
    }
    case data_format::libsvm:
    case data_format::libffm: {
      libsvm_options s = with_common(libsvm_options{});
      s.num_fields = sparse_fields;
      res = o.format == data_format::libsvm ? read_libsvm(path, s) : read_libffm(path, s);
      break;
    }
    case data_format::csv: res = read_csv(path, with_common(o.csv)); break;
  }
  if (tracker) tracker->finish(res.report);
  return res;
}

// One file read, reported, and required to hold at least one row.
inline read_result read_reported(const load_options& o, const std::filesystem::path& path,
                                 std::optional<std::size_t> sparse_fields, std::vector<row_origin>* origins,
                                 std::vector<parse_report>& reports) {
  read_result r = read_one(o, path, sparse_fields, origins);
  reports.push_back(r.report);
  if (o.on_report) o.on_report(r.report);
  // Rows were there but none parsed: most likely the wrong format. No row at all: an empty file.
  NACS_EXPECTS(!r.data.empty(), errc::invalid_data,
               r.report.rows_skipped > 0
                   ? cat("no rows could be read: ", r.report.summary(), "; check --format (is it a ",
                         to_string(o.format), " file?)")
                   : cat("no rows could be read: ", r.report.summary(), "; the file holds no data rows"));
  return r;
}

inline synthetic_part synthetic_rows(const synthetic_data& s, const std::vector<row_index>& rows) {
  synthetic_part p;
  p.clean_labels.reserve(rows.size());
  p.clean_probability.reserve(rows.size());
  p.flipped.reserve(rows.size());
  for (const row_index r : rows) {
    const auto u = static_cast<std::size_t>(r);
    p.clean_labels.push_back(s.clean_labels[u]);
    p.clean_probability.push_back(s.clean_probability[u]);
    p.flipped.push_back(s.flipped[u]);
  }
  return p;
}

inline bool both_classes(std::span<const float> labels) noexcept {
  bool pos = false, neg = false;
  for (const float y : labels) (y >= 0.5f ? pos : neg) = true;
  return pos && neg;
}

}  // namespace detail

namespace detail {
/// The host backend's body of nacs::load_ctr_data.
template <host_policy Policy>
loaded_data host_run(algo::load_ctr_data, const Policy& policy, const load_options& options) {
  const load_options& o = options;
  NACS_EXPECTS(!o.data.empty(), errc::invalid_argument, "load_ctr_data: set load_options::data to the data file");
  loaded_data out;
  out.input = o.data.string();
  out.format = o.format;
  out.options = o;
  out.options.read.on_progress = {};
  out.options.on_report = {};

  std::vector<row_origin> origins;
  read_result first = detail::read_reported(o, o.data, o.sparse_fields, o.keep_origins ? &origins : nullptr,
                                            out.reports);
  // valid and test must have data's fields: a sparse format takes its width from data's first row.
  std::optional<std::size_t> width = o.sparse_fields;
  if (!width && (o.format == data_format::libsvm || o.format == data_format::libffm))
    width = first.data.num_fields();

  NACS_EXPECTS(o.valid_share_of_data >= 0.0 && o.valid_share_of_data < 1.0, errc::invalid_argument,
               "load_ctr_data: valid_share_of_data = " + std::to_string(o.valid_share_of_data) + " must be in [0, 1)");
  if (o.test && !o.valid && o.valid_share_of_data > 0.0) {
    // Only a test file: a seeded share of data validates.
    const split_options vs{.train = 1.0 - o.valid_share_of_data, .valid = o.valid_share_of_data, .test = 0.0,
                           .seed = o.split.seed};
    const split_indices idx = split_rows(first.data.rows(), vs);
    out.train = detail::gather_rows(policy, first.data, idx.train);
    out.valid = detail::gather_rows(policy, first.data, idx.valid);
    out.valid_from_data = static_cast<row_index>(idx.valid.size());
    if (o.keep_origins) {
      out.train_origins.reserve(idx.train.size());
      for (const row_index r : idx.train) out.train_origins.push_back(origins[static_cast<std::size_t>(r)]);
    }
    out.test = detail::read_reported(o, *o.test, width, nullptr, out.reports).data;
  } else if (o.valid || o.test) {
    out.train = std::move(first.data);
    out.train_origins = std::move(origins);
    for (auto [file, target] : {std::pair{&o.valid, &out.valid}, std::pair{&o.test, &out.test}}) {
      if (!*file) continue;
      *target = detail::read_reported(o, **file, width, nullptr, out.reports).data;
    }
  } else {
    out.split = true;
    const split_indices idx = split_rows(first.data.rows(), o.split);
    out.train = detail::gather_rows(policy, first.data, idx.train);
    out.valid = detail::gather_rows(policy, first.data, idx.valid);
    out.test = detail::gather_rows(policy, first.data, idx.test);
    if (o.keep_origins) {
      out.train_origins.reserve(idx.train.size());
      for (const row_index r : idx.train) out.train_origins.push_back(origins[static_cast<std::size_t>(r)]);
    }
  }
  NACS_EXPECTS(!out.train.empty(), errc::invalid_data,
               "no training rows: use more data or a larger training share of the split (--split)");
  out.vocab = build_vocabulary(policy, out.train, o.vocabulary);
  out.train = out.vocab.encode(policy, out.train);
  if (!out.valid.field_names.empty()) out.valid = out.vocab.encode(policy, out.valid);
  if (!out.test.field_names.empty()) out.test = out.vocab.encode(policy, out.test);
  return out;
}
}  // namespace detail

template <class Policy>
loaded_data load_ctr_data(const Policy& policy, const load_options& options) {
  return detail::dispatch<algo::load_ctr_data>(policy, options);
}

namespace detail {
/// The host backend's body of nacs::load_synthetic.
template <host_policy Policy>
loaded_data host_run(algo::load_synthetic, const Policy& policy, const synthetic_options& generator,
                     const split_options& split) {
  synthetic_data s = generate_synthetic(policy, generator);
  loaded_data out;
  out.input = "synthetic";
  out.split = true;
  out.generator = generator;
  const split_indices idx = split_rows(s.data.rows(), split);
  out.train = detail::gather_rows(policy, s.data, idx.train);
  out.valid = detail::gather_rows(policy, s.data, idx.valid);
  out.test = detail::gather_rows(policy, s.data, idx.test);
  NACS_EXPECTS(!out.train.empty(), errc::invalid_data,
               "no training rows: generate more rows or give the split a larger training share (--split)");
  synthetic_truth t;
  t.train = detail::synthetic_rows(s, idx.train);
  t.valid = detail::synthetic_rows(s, idx.valid);
  t.test = detail::synthetic_rows(s, idx.test);
  t.flipped = s.flipped_count();
  t.oracle_auc = detail::both_classes(s.clean_labels) ? s.oracle_auc() : 0.5;
  t.noisy_oracle_auc = detail::both_classes(s.data.labels) ? s.noisy_oracle_auc() : 0.5;
  t.model = std::move(s.model);
  out.truth = std::move(t);
  return out;
}
}  // namespace detail

template <class Policy>
loaded_data load_synthetic(const Policy& policy, const synthetic_options& generator, const split_options& split) {
  return detail::dispatch<algo::load_synthetic>(policy, generator, split);
}

inline row_index write_source_rows(const loaded_data& data, std::span<const row_index> rows,
                                   const std::filesystem::path& path) {
  const row_index n = data.train.rows();
  for (std::size_t i = 0; i < rows.size(); ++i)
    NACS_EXPECTS(rows[i] >= 0 && rows[i] < n, errc::invalid_argument,
                 detail::cat("write_source_rows: row ", rows[i], " (position ", i, ") is outside the ", n,
                             " training rows"));
  const auto fail_write = [&] {
    NACS_FAIL(errc::io, "writing '", path.string(), "' failed (disk full?)");
  };

  if (data.truth) {  // synthetic: label,f0,... with the ids as integers
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    NACS_EXPECTS(out.good(), errc::io, "cannot open '" + path.string() + "' for writing: check the directory");
    out << "label";
    for (const auto& name : data.train.field_names) out << ',' << name;
    out << '\n';
    std::string line;
    for (const row_index r : rows) {
      line.assign(data.train.labels[static_cast<std::size_t>(r)] >= 0.5f ? "1" : "0");
      for (const std::uint32_t id : data.train.row(r)) line.append(",").append(std::to_string(id));
      line.push_back('\n');
      out << line;
    }
    out.flush();
    if (!out.good()) fail_write();
    return static_cast<row_index>(rows.size());
  }

  NACS_EXPECTS(static_cast<row_index>(data.train_origins.size()) == n, errc::invalid_argument,
               "write_source_rows: the data was loaded without load_options::keep_origins, so the rows' lines are "
               "not known: load it with keep_origins = true");
  const std::filesystem::path& source = data.options.data;
  {
    std::error_code ec;
    NACS_EXPECTS(!std::filesystem::equivalent(source, path, ec), errc::invalid_argument,
                 "write_source_rows: '" + path.string() + "' is the data file itself: write to another file");
  }
  std::vector<row_origin> want;
  want.reserve(rows.size());
  for (const row_index r : rows) want.push_back(data.train_origins[static_cast<std::size_t>(r)]);
  std::stable_sort(want.begin(), want.end(),
                   [](const row_origin& a, const row_origin& b) { return a.first_line < b.first_line; });

  std::ifstream in = detail::open_input(source);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  NACS_EXPECTS(out.good(), errc::io, "cannot open '" + path.string() + "' for writing: check the directory");
  bool need_header = !data.reports.empty() && data.reports.front().header;
  std::int64_t line_no = 0;
  std::size_t w = 0;
  std::string line, record;
  while ((w < want.size() || need_header) && std::getline(in, line)) {
    ++line_no;
    std::string_view body = line;
    if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
    if (line_no == 1 && body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    if (need_header) {  // the header is the first non-blank line; lines before it are blank
      if (!body.empty()) {
        out << line << '\n';
        need_header = false;
      }
      continue;
    }
    if (line_no < want[w].first_line) continue;
    if (!(record.empty() && body.empty())) record.append(line).push_back('\n');  // drop leading blank lines
    if (line_no == want[w].last_line) {
      do {
        out << record;
        ++w;
      } while (w < want.size() && want[w] == want[w - 1]);
      record.clear();
    }
  }
  NACS_EXPECTS(!in.bad(), errc::io, "reading '" + source.string() + "' failed");
  NACS_EXPECTS(w == want.size(), errc::invalid_data,
               detail::cat("write_source_rows: '", source.string(), "' ended at line ", line_no,
                           " before the rows it held when it was read: has it changed since?"));
  out.flush();
  if (!out.good()) fail_write();
  return static_cast<row_index>(rows.size());
}

}  // namespace nacs
