// RAII over the sqlite3 C API: a Database that opens with WAL and foreign keys on, a
// Statement that finalizes itself, a Transaction that rolls back unless committed, and
// forward schema migrations recorded in PRAGMA user_version. Errors throw
// seekbench::Error (code Database) naming the file and the SQLite message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace seekbench::storage {

class Database;

class Statement {
public:
    Statement(Database& db, std::string_view sql);
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;

    // Binding is 1-based, as in SQLite.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind_null(int index);
    Statement& bind_blob(int index, const void* data, std::size_t bytes);

    bool step();           // true while a row is available; false when done
    void run();            // step() once, expecting no row
    void reset();          // for reuse; keeps bindings

    std::int64_t column_int(int index) const;
    double column_double(int index) const;
    std::string column_text(int index) const;
    std::string_view column_blob(int index) const; // valid until the next step() or reset()
    bool column_is_null(int index) const;

private:
    struct Finalize {
        void operator()(sqlite3_stmt* stmt) const;
    };
    Database* m_db;
    std::unique_ptr<sqlite3_stmt, Finalize> m_stmt;
};

class Database {
public:
    enum class Mode { ReadWrite, ReadOnly };
    // path ":memory:" for tests. Fails when the file is not a SQLite database.
    explicit Database(const std::string& path, Mode mode = Mode::ReadWrite);

    void exec(std::string_view sql);            // for schema text without parameters
    int user_version();
    std::int64_t last_insert_rowid() const;
    int changes() const;                        // rows the last statement changed
    // Write-ahead logging (readers never wait for a writer), for a file the caller has
    // checked is its own: the switch writes to the file.
    void use_wal();
    sqlite3* handle() const { return m_db.get(); }
    const std::string& path() const { return m_path; }

    [[noreturn]] void fail(std::string_view what) const;  // throws with sqlite's message

private:
    struct Close {
        void operator()(sqlite3* db) const;
    };
    std::string m_path;
    std::unique_ptr<sqlite3, Close> m_db;
};

class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();                 // rolls back unless commit() ran
    void commit();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    Database& m_db;
    bool m_done = false;
};

// migrations[i] moves the schema from version i to i+1, each in its own transaction.
// A database newer than the code knows is refused rather than damaged.
using Migration = std::function<void(Database&)>;
void migrate(Database& db, const std::vector<Migration>& migrations);

} // namespace seekbench::storage
