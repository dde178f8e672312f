#pragma once
// Reading log input: regular files in mapped windows (so memory stays bounded however big the
// file), gzip files through zlib, stdin; always in blocks of whole lines.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace nginx_logs {

/// Called with blocks of whole lines ('\n'-terminated, except perhaps the input's last line).
using BlockFn = std::function<void(std::string_view block)>;

/// Reads path ("-" for stdin; gzip detected by its magic bytes) and hands blocks of whole lines
/// to on_block. Throws meshops::Error (Exit::unknown) naming the file when it cannot be read.
void read_blocks(const std::string& path, const BlockFn& on_block);

/// Whether path is a regular, uncompressed file that can be split among threads.
bool splittable(const std::string& path, std::uint64_t& size);

/// Reads the byte range [begin, end) of a regular file in mapped windows. begin and end must
/// be line starts (or 0 / the file size).
void read_range(const std::string& path, std::uint64_t begin, std::uint64_t end, const BlockFn& on_block);

/// The first line start at or after offset (the file size when none).
std::uint64_t next_line_start(const std::string& path, std::uint64_t offset, std::uint64_t size);

/// Calls on_line for every line of path, with its number (from 1).
void for_each_line(const std::string& path, const std::function<void(std::string_view, std::uint64_t)>& on_line);

} // namespace nginx_logs
