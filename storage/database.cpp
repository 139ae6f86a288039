// The sqlite3 handles and transactions behind every store.
#include "database.h"

#include "engine/error.h"

#include <sqlite3.h>

namespace seekbench::storage {

void Database::Close::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void Statement::Finalize::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Database::Database(const std::string& path, Mode mode) : m_path(path)
{
    sqlite3* raw = nullptr;
    const int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    m_db.reset(raw);
    if (rc != SQLITE_OK)
        fail("cannot open");
    // SQLite quietly opens a file it may not write read-only; say so instead of failing later.
    if (mode == Mode::ReadWrite && sqlite3_db_readonly(raw, "main") == 1)
        throw Error(ErrorCode::Database, "database " + path + " is read-only");
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, 5000);
    // Reading the schema is what tells a non-database file apart; do it before anything else.
    exec("SELECT count(*) FROM sqlite_schema");
    exec("PRAGMA foreign_keys = ON");
    // Reads through a mapping of the file instead of a read() per 4 KiB page: a search
    // joins up to 2,000 matches to their messages, and 100,000 stored messages took 13-15 ms
    // of it in page reads alone, 5 ms mapped (the OS's page cache, not the app's heap, holds
    // the pages). Writes still go through SQLite's journal as before.
    exec("PRAGMA mmap_size = 1073741824");
}

void Database::use_wal()
{
    // Switching to WAL rewrites header bytes 18-19: only for a file known to be ours.
    if (m_path != ":memory:" && sqlite3_db_readonly(m_db.get(), "main") == 0) {
        exec("PRAGMA journal_mode = WAL");
        exec("PRAGMA synchronous = NORMAL");
    }
}

void Database::fail(std::string_view what) const
{
    if (m_db && (sqlite3_errcode(m_db.get()) & 0xFF) == SQLITE_FULL)
        throw Error(ErrorCode::Io, "database " + m_path + ": the disk is full; this was not saved (what was "
                                                         "saved before is kept)");
    const char* message = m_db ? sqlite3_errmsg(m_db.get()) : "out of memory";
    throw Error(ErrorCode::Database,
                "database " + m_path + ": " + std::string(what) + ": " + message);
}

void Database::exec(std::string_view sql)
{
    const std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        if ((sqlite3_errcode(m_db.get()) & 0xFF) == SQLITE_FULL) {
            sqlite3_free(message);
            fail("exec");
        }
        const std::string detail = message ? message : sqlite3_errmsg(m_db.get());
        sqlite3_free(message);
        throw Error(ErrorCode::Database, "database " + m_path + ": " + detail + " (in: " +
                                             text.substr(0, 80) + ")");
    }
}

int Database::user_version()
{
    Statement st(*this, "PRAGMA user_version");
    st.step();
    return static_cast<int>(st.column_int(0));
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(m_db.get()); }

int Database::changes() const { return sqlite3_changes(m_db.get()); }

Statement::Statement(Database& db, std::string_view sql) : m_db(&db)
{
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &raw,
                           nullptr) != SQLITE_OK)
        db.fail("cannot prepare '" + std::string(sql.substr(0, 80)) + "'");
    m_stmt.reset(raw);
}

Statement& Statement::bind(int index, std::int64_t value)
{
    if (sqlite3_bind_int64(m_stmt.get(), index, value) != SQLITE_OK)
        m_db->fail("bind");
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    if (sqlite3_bind_double(m_stmt.get(), index, value) != SQLITE_OK)
        m_db->fail("bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text)
{
    if (sqlite3_bind_text64(m_stmt.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8) != SQLITE_OK)
        m_db->fail("bind");
    return *this;
}

Statement& Statement::bind_null(int index)
{
    if (sqlite3_bind_null(m_stmt.get(), index) != SQLITE_OK)
        m_db->fail("bind");
    return *this;
}

Statement& Statement::bind_blob(int index, const void* data, std::size_t bytes)
{
    if (sqlite3_bind_blob64(m_stmt.get(), index, data, bytes, SQLITE_TRANSIENT) != SQLITE_OK)
        m_db->fail("bind");
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    m_db->fail("step");
}

void Statement::run()
{
    if (step())
        m_db->fail("a statement expected to return no row returned one");
    reset();
}

void Statement::reset() { sqlite3_reset(m_stmt.get()); }

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(m_stmt.get(), index); }

double Statement::column_double(int index) const { return sqlite3_column_double(m_stmt.get(), index); }

std::string Statement::column_text(int index) const
{
    const auto* text = sqlite3_column_text(m_stmt.get(), index);
    const int size = sqlite3_column_bytes(m_stmt.get(), index);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size))
                : std::string();
}

std::string_view Statement::column_blob(int index) const
{
    const void* data = sqlite3_column_blob(m_stmt.get(), index);
    const int size = sqlite3_column_bytes(m_stmt.get(), index);
    return data ? std::string_view(static_cast<const char*>(data), static_cast<size_t>(size)) : std::string_view();
}

bool Statement::column_is_null(int index) const
{
    return sqlite3_column_type(m_stmt.get(), index) == SQLITE_NULL;
}

Transaction::Transaction(Database& db) : m_db(db) { m_db.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction()
{
    if (!m_done)
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

void migrate(Database& db, const std::vector<Migration>& migrations)
{
    const int current = db.user_version();
    if (current > static_cast<int>(migrations.size()))
        throw Error(ErrorCode::Database,
                    "database " + db.path() + " has schema version " + std::to_string(current) +
                        ", newer than this Seekbench knows (" +
                        std::to_string(migrations.size()) + "); it was left untouched");
    for (int version = current; version < static_cast<int>(migrations.size()); ++version) {
        Transaction tx(db);
        migrations[static_cast<size_t>(version)](db);
        db.exec("PRAGMA user_version = " + std::to_string(version + 1));
        tx.commit();
    }
}

} // namespace seekbench::storage
