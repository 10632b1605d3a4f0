// Text from a file or a user as it goes into an error message: the bytes a terminal would not
// show as themselves written \xNN, and long text cut, so that a message stays one readable line.
#pragma once

#include <string>
#include <string_view>

namespace ctgraph::detail {

/// `text` with each byte for which escape(byte) holds written \xNN, cut after `max_shown` bytes
/// ("..." then).
template <class Escape>
std::string escaped_text(std::string_view text, std::size_t max_shown, Escape escape) {
  constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text.substr(0, max_shown)) {
    const auto u = static_cast<unsigned char>(c);
    if (escape(u)) {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return text.size() > max_shown ? out + "..." : out;
}

}  // namespace ctgraph::detail
