// The conversation store: schema and migration from version 1, conversations and message
// trees, full-text search in English and Chinese, export/import round trips, bad input,
// and crash safety (a writer killed with SIGKILL 50 times loses nothing it committed).
#include "engine/error.h"
#include "storage/conversation_store.h"
#include "killharness.h"

#include <QTemporaryDir>
#include <sqlite3.h>
#include <QTest>
#include <fstream>
#include <random>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace seekbench::storage;

namespace {

Message msg(int64_t conv, int64_t parent, const std::string& role, const std::string& content)
{
    Message m;
    m.conversation_id = conv;
    m.parent_id = parent;
    m.role = role;
    m.content = content;
    return m;
}

std::string file_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A new database with one conversation, for a crash test: its path and the conversation.
std::pair<std::string, int64_t> crash_store(const QTemporaryDir& dir, const char* file, const char* title)
{
    const std::string path = dir.filePath(QString::fromLatin1(file)).toStdString();
    ConversationStore s(path);
    return {path, s.create_conversation(title)};
}

} // namespace

class ConversationStoreTest : public QObject {
    Q_OBJECT
private slots:
    void schemaIsCurrent()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("chat.db")).toStdString();
        ConversationStore store(path);
        QCOMPARE(store.schema_version(), ConversationStore::kSchemaVersion);
        Statement wal(store.database(), "PRAGMA journal_mode");
        QVERIFY(wal.step());
        QCOMPARE(wal.column_text(0), std::string("wal"));
        Statement fk(store.database(), "PRAGMA foreign_keys");
        QVERIFY(fk.step());
        QCOMPARE(fk.column_int(0), 1);
    }

    void migratesFromVersion1()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("old.db")).toStdString();
        {
            Database db(path);
            migrate(db, {[](Database& d) {
                d.exec("CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '', "
                       "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, pinned INTEGER NOT NULL DEFAULT 0, "
                       "model TEXT NOT NULL DEFAULT '', system_prompt TEXT NOT NULL DEFAULT '', sampling TEXT NOT NULL "
                       "DEFAULT '{}', current_leaf INTEGER REFERENCES messages(id) ON DELETE SET NULL);"
                       "CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL REFERENCES "
                       "conversations(id) ON DELETE CASCADE, parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE, "
                       "role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')), content TEXT NOT NULL, "
                       "created_at INTEGER NOT NULL, model TEXT NOT NULL DEFAULT '', prompt_tokens INTEGER NOT NULL DEFAULT 0, "
                       "generated_tokens INTEGER NOT NULL DEFAULT 0, tokens_per_second REAL NOT NULL DEFAULT 0, "
                       "stop_reason TEXT NOT NULL DEFAULT '');"
                       "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (1, 'old chat', 1, 1);"
                       "INSERT INTO messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'an elephant', 1);"
                       "UPDATE conversations SET current_leaf = 1;");
            }});
            QCOMPARE(db.user_version(), 1);
        }
        ConversationStore store(path);
        QCOMPARE(store.schema_version(), ConversationStore::kSchemaVersion);
        QCOMPARE(store.conversation(1)->knowledge, std::string("[]")); // no collections until chosen
        QCOMPARE(store.conversations().size(), std::size_t(1));
        QCOMPARE(store.branch(1).at(0).content, std::string("an elephant"));
        QCOMPARE(store.search("elephant").size(), std::size_t(1)); // old rows are indexed too
        Statement words(store.database(), "SELECT count(*) FROM messages_words WHERE messages_words MATCH 'elephant'");
        QVERIFY(words.step());
        QCOMPARE(words.column_int(0), int64_t(1)); // in the word index of version 4 too
    }

    void conversationsAndBranches()
    {
        ConversationStore s(":memory:");
        const int64_t a = s.create_conversation("first");
        const int64_t b = s.create_conversation("second");
        QTest::qWait(2);
        const int64_t u1 = s.add_message(msg(a, 0, "user", "Hi"));
        const int64_t a1 = s.add_message(msg(a, u1, "assistant", "Hello!"));
        QCOMPARE(s.conversations().front().id, a); // most recently active first
        s.set_pinned(b, true);
        QCOMPARE(s.conversations().front().id, b); // pinned before everything
        // Regenerate: a second answer to the same question, now the current branch.
        const int64_t a2 = s.add_message(msg(a, u1, "assistant", "Hey there."));
        auto path = s.branch(a);
        QCOMPARE(path.size(), std::size_t(2));
        QCOMPARE(path[1].id, a2);
        QCOMPARE(s.siblings(a2).size(), std::size_t(2));
        QCOMPARE(s.branch(a, a1).back().content, std::string("Hello!")); // the old branch is kept
        // Edit and resend: a new user message beside the first.
        const int64_t u2 = s.add_message(msg(a, 0, "user", "Hi, again"));
        QCOMPARE(s.branch(a).size(), std::size_t(1));
        QCOMPARE(s.siblings(u2).size(), std::size_t(2));
        s.set_current_leaf(a, a1);
        QCOMPARE(s.branch(a).back().id, a1);
        // Streamed replies are written as they complete.
        Message done = *s.message(a2);
        done.content = "Hey there, friend.";
        done.generated_tokens = 5;
        done.tokens_per_second = 12.5;
        done.stop_reason = "eos";
        s.update_message(done);
        QCOMPARE(s.message(a2)->tokens_per_second, 12.5);
        s.rename(a, "renamed");
        s.set_system_prompt(a, "Be brief.");
        s.set_sampling(a, R"({"temperature":0.2})");
        QCOMPARE(s.conversation(a)->title, std::string("renamed"));
        QCOMPARE(s.conversation(a)->system_prompt, std::string("Be brief."));
        // Delete hides, undelete restores, purge removes for good (messages with it).
        s.remove(a);
        QCOMPARE(s.conversations().size(), std::size_t(1));
        QVERIFY(s.search("friend").empty());
        s.undelete(a);
        QCOMPARE(s.conversations().size(), std::size_t(2));
        s.remove(a);
        QCOMPARE(s.purge_deleted(now_ms() + 1), 1);
        QVERIFY(!s.conversation(a));
        QVERIFY(!s.message(a2));
        QVERIFY(s.conversation(b));
    }

    void searchEnglishAndChinese()
    {
        ConversationStore s(":memory:");
        const int64_t c = s.create_conversation("languages");
        const int64_t m1 = s.add_message(msg(c, 0, "user", "The quick brown fox jumps over the lazy dog."));
        s.add_message(msg(c, m1, "assistant", "深度求索的模型很强大，能写代码。"));
        QCOMPARE(s.search("quick brown").size(), std::size_t(1));
        QCOMPARE(s.search("模型很").size(), std::size_t(1));   // inside a run of Chinese
        QCOMPARE(s.search("模型").size(), std::size_t(1));     // two characters: scanned
        QCOMPARE(s.search("写").size(), std::size_t(1));
        QVERIFY(s.search("不存在的词").empty());
        QVERIFY(s.search("\"quoted\" OR NEAR(").empty()); // syntax characters are plain text
        const auto hits = s.search("lazy dog");
        QCOMPARE(hits.at(0).title, std::string("languages"));
        QVERIFY(hits.at(0).snippet.find("\x02lazy dog\x03") != std::string::npos); // marks a UI can draw
        // Whole words come from the word index, parts of words (typing, text inside a word)
        // from the trigram index when no word matches.
        QCOMPARE(s.search("JUMP").size(), std::size_t(1));
        QCOMPARE(s.search("the laz").size(), std::size_t(1));
        QVERIFY(s.search("the lazy cat").empty());
        const auto inside = s.search("umps ov");
        QCOMPARE(inside.size(), std::size_t(1));
        QVERIFY(inside.at(0).snippet.find("\x02umps ov\x03") != std::string::npos);
        QVERIFY(s.search("!!!").empty()); // no word characters at all: the trigram index, no error
        // An edited message is found by its new words only, in both indexes.
        Message edited = *s.message(m1);
        edited.content = "A slow green turtle.";
        s.update_message(edited);
        QVERIFY(s.search("quick").empty());
        QVERIFY(s.search("uick").empty());
        QCOMPARE(s.search("turtle").size(), std::size_t(1));
        QCOMPARE(s.search("urtl").size(), std::size_t(1));
    }

    // Over many matches only the newest kSearchRanked are ranked: a query found in every
    // message still answers, best first among the newest, never older ones.
    void searchRanksTheNewestMatches()
    {
        ConversationStore s(":memory:");
        const int64_t c = s.create_conversation("many");
        int64_t parent = 0, first = 0;
        for (int i = 0; i < 2100; ++i) {
            parent = s.add_message(msg(c, parent, "user", i == 0 ? "router router router" : "the router " + std::to_string(i)));
            first = first ? first : parent;
        }
        const auto hits = s.search("router", 10);
        QCOMPARE(hits.size(), std::size_t(10));
        for (const SearchHit& h : hits) {
            QVERIFY(h.message_id > first + 99); // the oldest 100 are past the newest 2,000
            // Every hit has its own snippet (they are made in one pass over the matches).
            const std::string own = std::to_string(h.message_id - first);
            QVERIFY(h.snippet.find("\x02router\x03") != std::string::npos);
            QVERIFY(h.message_id == first || h.snippet.find(own) != std::string::npos);
        }
    }

    void exportImportRoundTrip()
    {
        ConversationStore s(":memory:");
        const int64_t c = s.create_conversation("code talk", "model.gguf", "You write C++.", R"({"temperature":0.7})");
        const int64_t u = s.add_message(msg(c, 0, "user", "Write hello world.\n## not a heading of ours"));
        const int64_t a1 = s.add_message(msg(c, u, "assistant", "```cpp\nint main() {}\n```\n中文也行"));
        s.add_message(msg(c, u, "assistant", "second try"));
        s.set_current_leaf(c, a1);
        // The collections it answers from and a question's retrieved passages travel too.
        s.set_knowledge(c, R"(["notes"])");
        s.set_sources(u, R"([{"n":1,"path":"/a.md","text":"passage"}])");

        const int64_t copy = s.import_json(s.export_json(c));
        QCOMPARE(s.conversation(copy)->knowledge, std::string(R"(["notes"])"));
        QCOMPARE(s.branch(copy).front().sources, std::string(R"([{"n":1,"path":"/a.md","text":"passage"}])"));
        QCOMPARE(s.branch(copy).back().sources, std::string());
        QCOMPARE(s.all_messages(copy).size(), std::size_t(3));
        QCOMPARE(s.branch(copy).back().content, std::string("```cpp\nint main() {}\n```\n中文也行"));
        QCOMPARE(s.conversation(copy)->system_prompt, std::string("You write C++."));
        QCOMPARE(s.conversation(copy)->sampling, std::string(R"({"temperature":0.7})"));

        const std::string md = s.export_markdown(c);
        QVERIFY(md.find("# code talk") == 0);
        const int64_t from_md = s.import_markdown(md);
        const auto branch = s.branch(from_md);
        QCOMPARE(branch.size(), std::size_t(2));
        QCOMPARE(branch[0].content, std::string("Write hello world.\n## not a heading of ours"));
        QCOMPARE(branch[1].content, std::string("```cpp\nint main() {}\n```\n中文也行"));
        QCOMPARE(s.conversation(from_md)->system_prompt, std::string("You write C++."));
    }

    void badImportsChangeNothing()
    {
        ConversationStore s(":memory:");
        const auto before = s.conversations().size();
        for (const char* text : {"not json at all", "{\"format\":\"something else\",\"messages\":[]}",
                                 "{\"format\":\"seekbench-conversation\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
                                 "{\"format\":\"seekbench-conversation\",\"messages\":[{\"id\":2,\"parent\":9,\"role\":\"user\"}]}",
                                 // the wrong kinds of value where text, a number or true/false belong (the
                                 // first one found by fuzz_conversation_import)
                                 "{\"format\": [{\"role\" :\"inegar.\"}]}",
                                 "{\"format\":\"seekbench-conversation\",\"pinned\":\"yes\",\"messages\":[]}",
                                 "{\"format\":\"seekbench-conversation\",\"messages\":[{\"id\":1e300,\"role\":\"user\"}]}"}) {
            try {
                s.import_json(text);
                QFAIL(text);
            } catch (const seekbench::Error& e) {
                QVERIFY2(std::string(e.what()).find("not a Seekbench conversation") != std::string::npos, e.what());
            }
        }
        QVERIFY_THROWS_EXCEPTION(seekbench::Error, s.import_markdown("# Just notes\n\nNo markers here."));
        QCOMPARE(s.conversations().size(), before);
    }

    void refusesForeignFiles()
    {
        QTemporaryDir dir;
        const std::string text = dir.filePath(QStringLiteral("notes.txt")).toStdString();
        std::ofstream(text) << "my notes, not a database\n";
        QVERIFY_THROWS_EXCEPTION(seekbench::Error, ConversationStore{text});
        QCOMPARE(file_bytes(text), std::string("my notes, not a database\n"));

        // Another program's database, made as other programs make them (rollback journal):
        // opening it must not write a byte, not even the WAL switch in the header.
        const std::string other = dir.filePath(QStringLiteral("other.db")).toStdString();
        sqlite3* raw = nullptr;
        QCOMPARE(sqlite3_open(other.c_str(), &raw), SQLITE_OK);
        QCOMPARE(sqlite3_exec(raw, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)", nullptr, nullptr,
                              nullptr), SQLITE_OK);
        sqlite3_close(raw);
        const std::string before = file_bytes(other);
        QCOMPARE(static_cast<int>(before[18]), 1); // legacy journal mode
        try {
            ConversationStore store(other);
            QFAIL("opened another program's database");
        } catch (const seekbench::Error& e) {
            QVERIFY2(std::string(e.what()).find("another program") != std::string::npos, e.what());
        }
        QCOMPARE(file_bytes(other), before);
    }

    void readOnlyMode()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ro.db")).toStdString();
        { ConversationStore w(path); w.create_conversation("kept"); }
        ConversationStore r(path, true);
        QCOMPARE(r.conversations().size(), std::size_t(1));
        try {
            r.create_conversation("nope");
            QFAIL("wrote through a read-only store");
        } catch (const seekbench::Error& e) {
            QVERIFY2(std::string(e.what()).find("readonly") != std::string::npos ||
                         std::string(e.what()).find("read-only") != std::string::npos, e.what());
        }
    }

    // A reply's drafts stay out of the message (and the search indexes) until it completes;
    // a crash in between leaves the last draft, which the next open makes the message's text.
    void draftsOfStreamingReplies()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("drafts.db")).toStdString();
        int64_t conv = 0, crashed = 0, completed = 0, purged = 0;
        {
            ConversationStore s(path);
            conv = s.create_conversation("drafts");
            const int64_t u = s.add_message(msg(conv, 0, "user", "Tell me about zebras"));
            crashed = s.add_message(msg(conv, u, "assistant", ""));
            s.save_draft(crashed, "Zebras are");
            s.save_draft(crashed, "Zebras are striped");
            QCOMPARE(s.message(crashed)->content, std::string(""));
            QVERIFY(s.search("striped").empty());
            completed = s.add_message(msg(conv, u, "assistant", ""));
            s.save_draft(completed, "Horses");
            Message done = *s.message(completed);
            done.content = "Horses are not zebras.";
            s.update_message(done); // the draft goes with it
            const int64_t other = s.create_conversation("gone");
            purged = s.add_message(msg(other, 0, "assistant", ""));
            s.save_draft(purged, "never finished");
            s.remove(other);
            QCOMPARE(s.purge_deleted(now_ms() + 1), 1);
        } // closed without completing `crashed`, as a crash would leave it
        ConversationStore s(path);
        QCOMPARE(s.message(crashed)->content, std::string("Zebras are striped"));
        QCOMPARE(s.message(completed)->content, std::string("Horses are not zebras."));
        QVERIFY(!s.message(purged));
        QCOMPARE(s.search("striped").size(), std::size_t(1)); // indexed once it is the message's text
        Statement left(s.database(), "SELECT count(*) FROM reply_drafts");
        QVERIFY(left.step());
        QCOMPARE(left.column_int(0), int64_t(0));
    }

    // Drafts written as fast as possible, the writer killed 20 times: each reply comes back
    // with at least its last reported draft.
    void draftsSurviveKill9()
    {
        QTemporaryDir dir;
        const auto [path, conv] = crash_store(dir, "drafts-crash.db", "drafts crash test");
        std::mt19937 rng(7);
        const auto rounds = seekbench::test::kill_repeatedly(20, rng, 2, 40, [&](int, const auto& report) {
            ConversationStore s(path);
            const int64_t id = s.add_message(msg(conv, 0, "assistant", ""));
            report(std::to_string(id));
            std::string text;
            for (;;) {
                text += "token ";
                s.save_draft(id, text);
                report(std::to_string(text.size()));
            }
        }, seekbench::test::KillFrom::FirstReport);
        QCOMPARE(rounds.killed, 20);
        ConversationStore s(path);
        int checked = 0;
        for (const auto& lines : rounds.reported) {
            if (lines.size() < 2)
                continue; // killed before its first draft
            const auto m = s.message(std::stoll(lines.front()));
            QVERIFY(m.has_value());
            QVERIFY(m->content.size() >= std::stoull(lines.back()));
            QVERIFY(m->content.find_first_not_of("token ") == std::string::npos);
            ++checked;
        }
        QVERIFY(checked >= 10); // the odd rounds count from the first report
        qInfo("%d replies with drafts over 20 kills, each at least its last reported draft", checked);
    }

    // Generation: a child writes messages one transaction at a time (as replies are saved)
    // and reports each committed id; it is killed at a random moment, 40 times. Every
    // reported message must be there and the file sound.
    void survivesKill9()
    {
        QTemporaryDir dir;
        const auto [path, conv] = crash_store(dir, "crash.db", "crash test");
        std::mt19937 rng(42);
        std::vector<std::pair<int64_t, std::string>> committed;
        const auto rounds = seekbench::test::kill_repeatedly(40, rng, 2, 40, [&](int round, const auto& report) {
            ConversationStore s(path);
            for (int i = 0;; ++i) {
                const std::string content = "round " + std::to_string(round) + " message " + std::to_string(i);
                report(std::to_string(s.add_message(msg(conv, 0, "user", content))));
            }
        }, seekbench::test::KillFrom::FirstReport);
        QVERIFY(rounds.killed == 40);
        for (std::size_t round = 0; round < rounds.reported.size(); ++round)
            for (std::size_t i = 0; i < rounds.reported[round].size(); ++i)
                committed.emplace_back(std::stoll(rounds.reported[round][i]),
                                       "round " + std::to_string(round) + " message " + std::to_string(i));
        ConversationStore s(path);
        Statement check(s.database(), "PRAGMA integrity_check");
        QVERIFY(check.step());
        QCOMPARE(check.column_text(0), std::string("ok"));
        QVERIFY(committed.size() >= 20); // at least one in each round counted from the first commit
        for (const auto& [id, content] : committed) {
            const auto m = s.message(id);
            QVERIFY2(m.has_value(), qPrintable(QString::fromStdString(content)));
            QCOMPARE(m->content, content);
        }
        qInfo("%zu committed messages over 40 kills, all present", committed.size());
    }

    // A full disk (a 1 MiB tmpfs): saving fails with "the disk is full", everything saved
    // before is there and sound, and once there is room again saving works.
    void diskFull()
    {
        QTemporaryDir dir;
        const QByteArray mountPoint = dir.path().toUtf8();
        if (mount("tmpfs", mountPoint.constData(), "tmpfs", 0, "size=1m") != 0)
            QSKIP("cannot mount a tmpfs here (needs root in a mount namespace, as packaging/dev.sh runs tests)");
        struct Unmount {
            QByteArray at;
            ~Unmount() { umount2(at.constData(), MNT_DETACH); }
        } unmount{mountPoint};
        const std::string path = dir.filePath(QStringLiteral("full.db")).toStdString();
        std::vector<int64_t> saved;
        std::string error;
        {
            ConversationStore s(path);
            const int64_t c = s.create_conversation("until the disk is full");
            const std::string words(2000, 'w');
            try {
                for (int64_t parent = 0;;) {
                    parent = s.add_message(msg(c, parent, "user", words));
                    saved.push_back(parent);
                }
            } catch (const seekbench::Error& e) {
                error = e.what();
                QCOMPARE(e.code(), seekbench::ErrorCode::Io);
            }
            QVERIFY2(error.find("the disk is full") != std::string::npos, error.c_str());
            QVERIFY2(saved.size() > 10, qPrintable(QStringLiteral("%1 saved before: %2").arg(saved.size()).arg(QString::fromStdString(error))));
            // The same connection keeps working for reads.
            QCOMPARE(s.all_messages(c).size(), saved.size());
        }
        ConversationStore again(path);
        Statement check(again.database(), "PRAGMA integrity_check");
        QVERIFY(check.step());
        QCOMPARE(check.column_text(0), std::string("ok"));
        for (int64_t id : saved)
            QVERIFY(again.message(id).has_value());
        // Room again (the tmpfs grows): saving works.
        QVERIFY(mount("tmpfs", mountPoint.constData(), "tmpfs", MS_REMOUNT, "size=4m") == 0);
        const int64_t c2 = again.create_conversation("after");
        QVERIFY(again.add_message(msg(c2, 0, "user", "there is room again")) > 0);
    }

    // Import: a child imports conversations (each one transaction) and reports each id;
    // killed 30 times. Every reported conversation must be there whole, none half-written.
    void importSurvivesKill9()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("import.db")).toStdString();
        { ConversationStore s(path); }
        std::mt19937 rng(11);
        std::string json;
        {
            ConversationStore source(":memory:");
            const int64_t c = source.create_conversation("imported");
            int64_t parent = 0;
            for (int i = 0; i < 40; ++i)
                parent = source.add_message(msg(c, parent, i % 2 ? "assistant" : "user", "line " + std::to_string(i)));
            json = source.export_json(c);
        }
        const auto rounds = seekbench::test::kill_repeatedly(30, rng, 10, 80, [&](int, const auto& report) {
            ConversationStore s(path);
            for (;;)
                report(std::to_string(s.import_json(json)));
        }, seekbench::test::KillFrom::FirstReport);
        QCOMPARE(rounds.killed, 30);
        ConversationStore s(path);
        Statement check(s.database(), "PRAGMA integrity_check");
        QVERIFY(check.step());
        QCOMPARE(check.column_text(0), std::string("ok"));
        std::size_t n = 0;
        for (const auto& lines : rounds.reported)
            for (const std::string& id : lines) {
                QVERIFY2(s.conversation(std::stoll(id)).has_value(), id.c_str());
                QCOMPARE(s.all_messages(std::stoll(id)).size(), std::size_t(40));
                ++n;
            }
        QVERIFY2(n >= 15, qPrintable(QString::number(n))); // at least one in each round counted from the first
        // No conversation is there partly: every one holds all 40 messages.
        Statement partial(s.database(), "SELECT count(*) FROM (SELECT conversation_id, count(*) AS n FROM messages "
                                        "GROUP BY conversation_id) WHERE n != 40");
        QVERIFY(partial.step());
        QCOMPARE(partial.column_int(0), int64_t(0));
        qInfo("%zu imported conversations over 30 kills, all present and whole", n);
    }
};

QTEST_GUILESS_MAIN(ConversationStoreTest)
#include "conversation_store_test.moc"
