// Typed wrappers over libcurl's variadic functions.
//
// curl_easy_setopt, curl_easy_getinfo, curl_multi_setopt and curl_share_setopt
// take a variadic argument whose type depends on the option, and Swift cannot
// call C variadic functions. Each wrapper below fixes one argument type, so the
// call stays one-to-one with libcurl and all logic lives in Swift.
#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

#pragma clang assume_nonnull begin

// MARK: easy handle options

CURLcode CCurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode CCurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
/// Strings are copied by libcurl (it keeps its own copy since 7.17.0).
CURLcode CCurl_easy_setopt_string(CURL *handle, CURLoption option, const char *_Nullable value);
/// For options taking a pointer that libcurl keeps (CURLOPT_PRIVATE, CURLOPT_WRITEDATA,
/// CURLOPT_ERRORBUFFER, CURLOPT_HTTPHEADER, CURLOPT_SHARE): the caller keeps it alive.
CURLcode CCurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *_Nullable value);

typedef size_t (*CCurlWriteFunction)(char *data, size_t size, size_t count, void *_Nullable userdata);
CURLcode CCurl_easy_setopt_write_function(CURL *handle, CCurlWriteFunction _Nullable function);
/// CURLOPT_HEADERFUNCTION takes the write function's type: a response header line a call.
CURLcode CCurl_easy_setopt_header_function(CURL *handle, CCurlWriteFunction _Nullable function);

/// CURLOPT_PREREQFUNCTION: called once a connection is made or reused, before each request
/// is sent; it tells the engine which phase a transfer reached.
typedef int (*CCurlPrereqFunction)(void *_Nullable clientp, char *primaryIP, char *localIP, int primaryPort,
                                   int localPort);
CURLcode CCurl_easy_setopt_prereq_function(CURL *handle, CCurlPrereqFunction _Nullable function);

/// CURLOPT_DEBUGFUNCTION (called only with CURLOPT_VERBOSE on): the bytes of a request and its
/// response as they go over the wire, before any decoding (WARC keeps them).
typedef int (*CCurlDebugFunction)(CURL *handle, curl_infotype type, char *data, size_t size,
                                  void *_Nullable clientp);
CURLcode CCurl_easy_setopt_debug_function(CURL *handle, CCurlDebugFunction _Nullable function);

// MARK: easy handle information

CURLcode CCurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode CCurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
/// The string belongs to the handle and lives until the handle is reset or cleaned up.
CURLcode CCurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char *_Nullable *_Nonnull value);
CURLcode CCurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void *_Nullable *_Nonnull value);

// MARK: multi handle options

CURLMcode CCurl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *_Nullable value);
CURLMcode CCurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

typedef int (*CCurlSocketFunction)(CURL *easy, curl_socket_t socket, int what, void *_Nullable userp,
                                   void *_Nullable socketp);
CURLMcode CCurl_multi_setopt_socket_function(CURLM *multi, CCurlSocketFunction _Nullable function);

typedef int (*CCurlTimerFunction)(CURLM *multi, long timeoutMilliseconds, void *_Nullable userp);
CURLMcode CCurl_multi_setopt_timer_function(CURLM *multi, CCurlTimerFunction _Nullable function);

// MARK: share handle options

CURLSHcode CCurl_share_setopt_long(CURLSH *share, CURLSHoption option, long value);
/// CURLSHOPT_USERDATA: the pointer handed to the lock and unlock functions.
CURLSHcode CCurl_share_setopt_pointer(CURLSH *share, CURLSHoption option, void *_Nullable value);
/// CURLSHOPT_LOCKFUNC and CURLSHOPT_UNLOCKFUNC: what makes a share safe to use from more
/// than one thread (libcurl calls them around every access to the shared data).
CURLSHcode CCurl_share_setopt_lock_function(CURLSH *share, curl_lock_function _Nullable function);
CURLSHcode CCurl_share_setopt_unlock_function(CURLSH *share, curl_unlock_function _Nullable function);

// MARK: constants Swift does not import
// Macros built from other macros or casts are not imported by Swift.

static const long CCurl_CURL_GLOBAL_ALL = CURL_GLOBAL_ALL;
static const curl_socket_t CCurl_CURL_SOCKET_TIMEOUT = CURL_SOCKET_TIMEOUT;
static const unsigned long CCurl_CURLAUTH_BASIC = CURLAUTH_BASIC;
static const unsigned long CCurl_CURLAUTH_DIGEST = CURLAUTH_DIGEST;
static const unsigned long CCurl_CURLAUTH_ANY = CURLAUTH_ANY;

#pragma clang assume_nonnull end

#endif
