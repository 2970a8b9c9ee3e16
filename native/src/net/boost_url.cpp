// Boost.URL's compiled part (Boost 1.81 ships it as a library; its src.hpp builds it into one translation
// unit, so the static, mingw and aarch64 builds need only the headers). net/url.cpp uses it.
#include <boost/url/src.hpp>
