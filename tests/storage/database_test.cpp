// The sqlite3 RAII layer: statements, transactions that roll back, migrations that run
// once and refuse a newer schema, and a readable error for a file that is not a database.
#include "storage/database.h"
#include "engine/error.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>

using namespace seekbench::storage;

class DatabaseTest : public QObject {
    Q_OBJECT
private slots:
    void statementsBindAndRead()
    {
        Database db(":memory:");
        db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)");
        Statement insert(db, "INSERT INTO t (name, score) VALUES (?1, ?2)");
        insert.bind(1, std::string_view("深度求索 'quoted'")).bind(2, 0.5).run();
        insert.bind(1, std::string_view("second")).bind_null(2).run();
        Statement select(db, "SELECT name, score FROM t ORDER BY id");
        QVERIFY(select.step());
        QCOMPARE(QString::fromStdString(select.column_text(0)), QStringLiteral("深度求索 'quoted'"));
        QCOMPARE(select.column_double(1), 0.5);
        QVERIFY(select.step());
        QVERIFY(select.column_is_null(1));
        QVERIFY(!select.step());
    }

    void transactionRollsBackUnlessCommitted()
    {
        Database db(":memory:");
        db.exec("CREATE TABLE t (x INTEGER)");
        {
            Transaction tx(db);
            db.exec("INSERT INTO t VALUES (1)");
        }
        {
            Transaction tx(db);
            db.exec("INSERT INTO t VALUES (2)");
            tx.commit();
        }
        Statement count(db, "SELECT group_concat(x) FROM t");
        QVERIFY(count.step());
        QCOMPARE(count.column_text(0), std::string("2"));
    }

    void migrationsRunOnceInOrder()
    {
        Database db(":memory:");
        int runs = 0;
        const std::vector<Migration> steps = {
            [&](Database& d) { ++runs; d.exec("CREATE TABLE a (x)"); },
            [&](Database& d) { ++runs; d.exec("ALTER TABLE a ADD COLUMN y"); },
        };
        migrate(db, steps);
        QCOMPARE(db.user_version(), 2);
        migrate(db, steps);
        QCOMPARE(runs, 2);
    }

    void failedMigrationLeavesVersion()
    {
        Database db(":memory:");
        const std::vector<Migration> steps = {
            [](Database& d) { d.exec("CREATE TABLE a (x)"); },
            [](Database& d) { d.exec("CREATE TABLE b (x)"); d.exec("THIS IS NOT SQL"); },
        };
        QVERIFY_THROWS_EXCEPTION(seekbench::Error, migrate(db, steps));
        QCOMPARE(db.user_version(), 1);
        Statement st(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'");
        QVERIFY(st.step());
        QCOMPARE(st.column_int(0), 0);
    }

    void newerSchemaIsRefused()
    {
        Database db(":memory:");
        db.exec("PRAGMA user_version = 7");
        try {
            migrate(db, {[](Database&) {}});
            QFAIL("a newer schema was accepted");
        } catch (const seekbench::Error& e) {
            QVERIFY(std::string(e.what()).find("newer") != std::string::npos);
        }
        QCOMPARE(db.user_version(), 7);
    }

    void notADatabaseFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("notes.db")).toStdString();
        std::ofstream(path) << "these are notes, not a database; please keep them\n";
        try {
            Database db(path);
            QFAIL("a text file opened as a database");
        } catch (const seekbench::Error& e) {
            QCOMPARE(e.code(), seekbench::ErrorCode::Database);
            QVERIFY2(std::string(e.what()).find("notes.db") != std::string::npos, e.what());
        }
        std::ifstream in(path);
        std::string line;
        std::getline(in, line);
        QCOMPARE(line, std::string("these are notes, not a database; please keep them"));
    }
};

QTEST_GUILESS_MAIN(DatabaseTest)
#include "database_test.moc"
