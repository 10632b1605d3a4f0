// Compile-time lists of types: how a graph's nodes are collected, deduplicated
// and ordered before any code for them is generated.
#pragma once

#include <cstddef>
#include <type_traits>

namespace ctgraph::detail {

template <class... Ts>
struct type_list {
  static constexpr std::size_t size = sizeof...(Ts);
};

template <class List, class T>
inline constexpr bool contains = false;
template <class... Ts, class T>
inline constexpr bool contains<type_list<Ts...>, T> = (std::is_same_v<Ts, T> || ...);

template <class List, class T>
struct push_back_unique;
template <class... Ts, class T>
struct push_back_unique<type_list<Ts...>, T> {
  using type = std::conditional_t<contains<type_list<Ts...>, T>, type_list<Ts...>, type_list<Ts..., T>>;
};

/// Index of T in List; List::size when absent (detail::position makes that a compile error).
template <class List, class T>
struct index_of;
template <class T>
struct index_of<type_list<>, T> : std::integral_constant<std::size_t, 0> {};
template <class Head, class... Tail, class T>
struct index_of<type_list<Head, Tail...>, T>
    : std::integral_constant<std::size_t, std::is_same_v<Head, T> ? 0 : 1 + index_of<type_list<Tail...>, T>::value> {};

/// Joins lists, in order.
template <class... Lists>
struct concat {
  using type = type_list<>;
};
template <class... Ts>
struct concat<type_list<Ts...>> {
  using type = type_list<Ts...>;
};
template <class... As, class... Bs, class... Rest>
struct concat<type_list<As...>, type_list<Bs...>, Rest...> {
  using type = typename concat<type_list<As..., Bs...>, Rest...>::type;
};

/// List's elements that Pred holds for, in order. One pass: each element becomes a list of
/// itself or of nothing, and the lists are joined (a fold that re-checked a growing result for
/// duplicates was quadratic; the lists filtered are collect's, each node once).
template <class List, template <class> class Pred>
struct filter;
template <template <class> class Pred, class... Ts>
struct filter<type_list<Ts...>, Pred> {
  using type = typename concat<std::conditional_t<Pred<Ts>::value, type_list<Ts>, type_list<>>...>::type;
};

template <class List, class F>
constexpr void for_each_type(F&& f) {
  [&]<class... Ts>(type_list<Ts...>*) { (f.template operator()<Ts>(), ...); }(static_cast<List*>(nullptr));
}

template <class List, class Acc = type_list<>>
struct reverse {
  using type = Acc;
};
template <class Head, class... Tail, class... Acc>
struct reverse<type_list<Head, Tail...>, type_list<Acc...>> {
  using type = typename reverse<type_list<Tail...>, type_list<Head, Acc...>>::type;
};

}  // namespace ctgraph::detail

namespace ctgraph::detail {

template <std::size_t I, class List>
struct type_at;
template <class Head, class... Tail>
struct type_at<0, type_list<Head, Tail...>> {
  using type = Head;
};
template <std::size_t I, class Head, class... Tail>
struct type_at<I, type_list<Head, Tail...>> : type_at<I - 1, type_list<Tail...>> {};

}  // namespace ctgraph::detail
