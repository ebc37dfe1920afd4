// The crypto module MAMS gives the DuckDB it bundles, so a project can be written encrypted at
// rest. DuckDB encrypts database files with AES-GCM; its built-in module (mbedtls) does the
// cipher well but draws keys and nonces from a non-cryptographic generator, so DuckDB refuses
// to write with it unless told "force_mbedtls_unsafe". Its secure module comes with the httpfs
// extension (OpenSSL), which is downloaded, not bundled. This keeps DuckDB's own AES-GCM and
// replaces only the random source with the operating system's CSPRNG (getrandom on Linux,
// arc4random_buf on macOS, BCryptGenRandom on Windows). No cipher is written here.
#include "duckdb.hpp"
#include "duckdb/main/config.hpp"
#include "duckdb/main/capi/capi_internal.hpp"
#include "duckdb/common/encryption_state.hpp"
#include "mbedtls_wrapper.hpp"

#if defined(_WIN32)
#include <windows.h>
#include <bcrypt.h>
#elif defined(__APPLE__)
#include <stdlib.h>
#else
#include <sys/random.h>
#include <errno.h>
#endif

namespace {

void os_random(duckdb::data_ptr_t data, duckdb::idx_t len) {
#if defined(_WIN32)
	if (BCryptGenRandom(nullptr, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
		throw duckdb::IOException("the system's random generator failed");
	}
#elif defined(__APPLE__)
	arc4random_buf(data, len);
#else
	while (len > 0) {
		auto n = getrandom(data, len, 0);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			throw duckdb::IOException("the system's random generator failed");
		}
		data += n;
		len -= (duckdb::idx_t)n;
	}
#endif
}

class OsRandomAes : public duckdb_mbedtls::MbedTlsWrapper::AESStateMBEDTLS {
public:
	explicit OsRandomAes(duckdb::unique_ptr<duckdb::EncryptionStateMetadata> metadata)
	    : AESStateMBEDTLS(std::move(metadata)) {
	}
	void GenerateRandomData(duckdb::data_ptr_t data, duckdb::idx_t len) override {
		os_random(data, len);
	}
};

class OsRandomCrypto : public duckdb::EncryptionUtil {
public:
	duckdb::shared_ptr<duckdb::EncryptionState>
	CreateEncryptionState(duckdb::unique_ptr<duckdb::EncryptionStateMetadata> metadata) const override {
		return duckdb::make_shared_ptr<OsRandomAes>(std::move(metadata));
	}
};

} // namespace

// Gives the database its crypto module; 0 on success.
extern "C" int mams_install_os_random_crypto(duckdb_database database) {
	try {
		auto wrapper = reinterpret_cast<duckdb::DatabaseWrapper *>(database);
		if (!wrapper || !wrapper->database) {
			return 1;
		}
		auto &instance = *wrapper->database->instance;
		duckdb::DBConfig::GetConfig(instance).encryption_util = duckdb::make_shared_ptr<OsRandomCrypto>();
		return 0;
	} catch (...) {
		return 2;
	}
}
