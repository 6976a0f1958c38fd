// OpenSSL's EVP digest interface (SHA-1, SHA-256); libcrypto comes with libcurl's OpenSSL build.
#include <openssl/evp.h>
