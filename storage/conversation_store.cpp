// ConversationStore: the SQL lives in named constants; each public call is one short
// function over prepared statements, writes inside a Transaction.
#include "conversation_store.h"

#include "engine/error.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace seekbench::storage {
namespace {

// Version 1: conversations and messages as a tree.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  pinned INTEGER NOT NULL DEFAULT 0,
  model TEXT NOT NULL DEFAULT '',
  system_prompt TEXT NOT NULL DEFAULT '',
  sampling TEXT NOT NULL DEFAULT '{}',
  current_leaf INTEGER REFERENCES messages(id) ON DELETE SET NULL
);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  generated_tokens INTEGER NOT NULL DEFAULT 0,
  tokens_per_second REAL NOT NULL DEFAULT 0,
  stop_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
CREATE INDEX messages_by_parent ON messages(parent_id);
)sql";

// Version 2: soft deletion, and full-text search. The trigram tokenizer indexes every
// 3-character window, so text without spaces between words (Chinese, Japanese) is found
// by any part of it; unicode61 would index a whole run of CJK as one "word".
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE conversations ADD COLUMN deleted_at INTEGER;
CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='id', tokenize='trigram');
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
)sql";

constexpr const char* kConversationColumns =
    "id, title, created_at, updated_at, pinned, model, system_prompt, sampling, IFNULL(current_leaf, 0), knowledge";
constexpr const char* kInsertConversation =
    "INSERT INTO conversations (title, created_at, updated_at, model, system_prompt, sampling) "
    "VALUES (?1, ?2, ?2, ?3, ?4, ?5)";
constexpr const char* kRename = "UPDATE conversations SET title = ?2 WHERE id = ?1";
constexpr const char* kSetPinned = "UPDATE conversations SET pinned = ?2 WHERE id = ?1";
constexpr const char* kSetSystem = "UPDATE conversations SET system_prompt = ?2 WHERE id = ?1";
constexpr const char* kSetSampling = "UPDATE conversations SET sampling = ?2 WHERE id = ?1";
constexpr const char* kSetModel = "UPDATE conversations SET model = ?2 WHERE id = ?1";
constexpr const char* kSetKnowledge = "UPDATE conversations SET knowledge = ?2 WHERE id = ?1";
constexpr const char* kSetSources = "UPDATE messages SET sources = ?2 WHERE id = ?1";
constexpr const char* kSetLeaf = "UPDATE conversations SET current_leaf = ?2 WHERE id = ?1";
constexpr const char* kTouch = "UPDATE conversations SET updated_at = ?2 WHERE id = ?1";
constexpr const char* kSoftDelete = "UPDATE conversations SET deleted_at = ?2 WHERE id = ?1";
constexpr const char* kUndelete = "UPDATE conversations SET deleted_at = NULL WHERE id = ?1";
constexpr const char* kPurge = "DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?1";
constexpr const char* kMessageColumns =
    "id, conversation_id, IFNULL(parent_id, 0), role, content, created_at, model, prompt_tokens, "
    "generated_tokens, tokens_per_second, stop_reason, sources";
constexpr const char* kInsertMessage =
    "INSERT INTO messages (conversation_id, parent_id, role, content, created_at, model, prompt_tokens, "
    "generated_tokens, tokens_per_second, stop_reason) VALUES (?1, NULLIF(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr const char* kUpdateMessage =
    "UPDATE messages SET content = ?2, model = ?3, prompt_tokens = ?4, generated_tokens = ?5, "
    "tokens_per_second = ?6, stop_reason = ?7 WHERE id = ?1";
// Ranked among the newest kSearchRanked matches only: a query that matches most of a large
// history (three letters typed into the search box) would otherwise score every match
// (100 ms and more over 100,000 messages); the joins and snippets are for the hits alone.
// %s is the index: messages_words or messages_fts.
constexpr int kSearchRanked = 2000;
constexpr const char* kSearchIndex =
    "SELECT m.conversation_id, m.id, c.title FROM "
    "(SELECT rowid AS id, rank AS r FROM %s WHERE %s MATCH ?1 ORDER BY rowid DESC LIMIT ?3) f "
    "JOIN messages m ON m.id = f.id JOIN conversations c ON c.id = m.conversation_id "
    "WHERE c.deleted_at IS NULL ORDER BY f.r, f.id DESC LIMIT ?2";
// The hits' snippets in one pass over the matches from the oldest hit on (at most the
// kSearchRanked newest), a snippet made for the hits (?2, a JSON array of their ids) only.
// A MATCH per hit seeks every term's doclist again: 50 trigram hits over 100,000 messages
// took 7 ms that way, 1-2 ms this.
constexpr const char* kSearchSnippets =
    "SELECT rowid, CASE WHEN rowid IN (SELECT value FROM json_each(?2)) "
    "THEN snippet(%s, 0, char(2), char(3), '…', 12) END FROM %s WHERE %s MATCH ?1 AND rowid >= ?3";
constexpr const char* kSearchLike =
    "SELECT m.conversation_id, m.id, c.title, substr(m.content, max(1, instr(m.content, ?1) - 20), 60) "
    "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
    "WHERE instr(m.content, ?1) > 0 AND c.deleted_at IS NULL ORDER BY m.id DESC LIMIT ?2";

// Version 3: the knowledge collections a conversation answers from (a JSON array of their
// names), and the passages retrieved for a question (JSON, kept with the question so a later
// turn shows the model the same prompt and the answer's citations resolve).
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE conversations ADD COLUMN knowledge TEXT NOT NULL DEFAULT '[]';
ALTER TABLE messages ADD COLUMN sources TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: a word index beside the trigram one. A trigram phrase reads the whole doclist
// of each of its trigrams, and common trigrams are in most messages: a rare word took
// 15-45 ms over 100,000 messages. Whole words (Latin, Cyrillic, ...) are found here in a
// few ms; the trigram index remains for Chinese, parts of words and text inside words.
constexpr const char* kSchemaV4 = R"sql(
CREATE VIRTUAL TABLE messages_words USING fts5(content, content='messages', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
INSERT INTO messages_words(messages_words) VALUES ('rebuild');
CREATE TRIGGER messages_words_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_words(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_words_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_words(messages_words, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_words_update AFTER UPDATE OF content ON messages BEGIN
  INSERT INTO messages_words(messages_words, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_words(rowid, content) VALUES (new.id, new.content);
END;
)sql";

// Version 5: drafts of replies being streamed (save_draft), outside the search indexes.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE reply_drafts (
  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  content TEXT NOT NULL
);
)sql";
constexpr const char* kSaveDraft = "INSERT OR REPLACE INTO reply_drafts (message_id, content) VALUES (?1, ?2)";
constexpr const char* kDropDraft = "DELETE FROM reply_drafts WHERE message_id = ?1";
// What a crash left streaming: each draft becomes its message's text.
constexpr const char* kRecoverDrafts = R"sql(
UPDATE messages SET content = (SELECT d.content FROM reply_drafts d WHERE d.message_id = messages.id)
  WHERE id IN (SELECT message_id FROM reply_drafts);
DELETE FROM reply_drafts;
)sql";

void migrate_v1(Database& db) { db.exec(kSchemaV1); }
void migrate_v2(Database& db) { db.exec(kSchemaV2); }
void migrate_v3(Database& db) { db.exec(kSchemaV3); }
void migrate_v4(Database& db) { db.exec(kSchemaV4); }
void migrate_v5(Database& db) { db.exec(kSchemaV5); }

std::string select_conversation(const char* rest)
{
    return std::string("SELECT ") + kConversationColumns + " FROM conversations " + rest;
}

std::string select_message(const char* where)
{
    return std::string("SELECT ") + kMessageColumns + " FROM messages WHERE " + where;
}

std::size_t utf8_length(const std::string& s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

} // namespace

int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ConversationStore::ConversationStore(const std::string& path, bool read_only)
    : m_read_only(read_only), m_db(path, read_only ? Database::Mode::ReadOnly : Database::Mode::ReadWrite)
{
    // A database someone else made is left alone: it must have no tables, or ours.
    {
        Statement foreign(m_db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT IN "
                                "('conversations', 'messages', 'reply_drafts') AND name NOT LIKE 'messages_fts%' AND name NOT LIKE "
                                "'messages_words%' AND name NOT LIKE 'sqlite_%'");
        foreign.step();
        if (foreign.column_int(0) > 0)
            throw Error(ErrorCode::Database, "database " + path + " belongs to another program; it was left untouched");
    } // the statement's read ends here: the switch to WAL cannot happen inside it
    const int version = m_db.user_version();
    if (read_only) {
        if (version != kSchemaVersion)
            throw Error(ErrorCode::Database, "database " + path + " is read-only and at schema version " +
                                                 std::to_string(version) + "; it cannot be upgraded in place");
        return;
    }
    m_db.use_wal();
    migrate(m_db, {migrate_v1, migrate_v2, migrate_v3, migrate_v4, migrate_v5});
    Transaction tx(m_db);
    m_db.exec(kRecoverDrafts);
    tx.commit();
}

int ConversationStore::schema_version() { return m_db.user_version(); }

Conversation ConversationStore::read_conversation(Statement& st)
{
    Conversation c;
    c.id = st.column_int(0);
    c.title = st.column_text(1);
    c.created_at = st.column_int(2);
    c.updated_at = st.column_int(3);
    c.pinned = st.column_int(4) != 0;
    c.model = st.column_text(5);
    c.system_prompt = st.column_text(6);
    c.sampling = st.column_text(7);
    c.current_leaf = st.column_int(8);
    c.knowledge = st.column_text(9);
    return c;
}

Message ConversationStore::read_message(Statement& st)
{
    Message m;
    m.id = st.column_int(0);
    m.conversation_id = st.column_int(1);
    m.parent_id = st.column_int(2);
    m.role = st.column_text(3);
    m.content = st.column_text(4);
    m.created_at = st.column_int(5);
    m.model = st.column_text(6);
    m.prompt_tokens = static_cast<int>(st.column_int(7));
    m.generated_tokens = static_cast<int>(st.column_int(8));
    m.tokens_per_second = st.column_double(9);
    m.stop_reason = st.column_text(10);
    m.sources = st.column_text(11);
    return m;
}

std::vector<Conversation> ConversationStore::conversations()
{
    Statement st(m_db, select_conversation("WHERE deleted_at IS NULL ORDER BY pinned DESC, updated_at DESC, id DESC"));
    std::vector<Conversation> out;
    while (st.step())
        out.push_back(read_conversation(st));
    return out;
}

std::optional<Conversation> ConversationStore::conversation(int64_t id)
{
    Statement st(m_db, select_conversation("WHERE id = ?1"));
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return read_conversation(st);
}

int64_t ConversationStore::create_conversation(const std::string& title, const std::string& model,
                                               const std::string& system_prompt, const std::string& sampling)
{
    Transaction tx(m_db);
    Statement st(m_db, kInsertConversation);
    st.bind(1, std::string_view(title)).bind(2, now_ms()).bind(3, std::string_view(model));
    st.bind(4, std::string_view(system_prompt)).bind(5, std::string_view(sampling));
    st.run();
    const int64_t id = m_db.last_insert_rowid();
    tx.commit();
    return id;
}

namespace {
template <typename T> void update_one(Database& db, const char* sql, int64_t id, T value)
{
    Transaction tx(db);
    Statement st(db, sql);
    st.bind(1, id).bind(2, value);
    st.run();
    tx.commit();
}
} // namespace

void ConversationStore::rename(int64_t id, const std::string& title) { update_one(m_db, kRename, id, std::string_view(title)); }
void ConversationStore::set_pinned(int64_t id, bool pinned) { update_one(m_db, kSetPinned, id, int64_t(pinned ? 1 : 0)); }
void ConversationStore::set_system_prompt(int64_t id, const std::string& s) { update_one(m_db, kSetSystem, id, std::string_view(s)); }
void ConversationStore::set_sampling(int64_t id, const std::string& s) { update_one(m_db, kSetSampling, id, std::string_view(s)); }
void ConversationStore::set_model(int64_t id, const std::string& s) { update_one(m_db, kSetModel, id, std::string_view(s)); }
void ConversationStore::set_current_leaf(int64_t id, int64_t message_id) { update_one(m_db, kSetLeaf, id, message_id); }
void ConversationStore::set_knowledge(int64_t id, const std::string& s) { update_one(m_db, kSetKnowledge, id, std::string_view(s)); }
void ConversationStore::set_sources(int64_t message_id, const std::string& s) { update_one(m_db, kSetSources, message_id, std::string_view(s)); }
void ConversationStore::remove(int64_t id) { update_one(m_db, kSoftDelete, id, now_ms()); }

void ConversationStore::undelete(int64_t id)
{
    Transaction tx(m_db);
    Statement st(m_db, kUndelete);
    st.bind(1, id).run();
    tx.commit();
}

int ConversationStore::purge_deleted(int64_t older_than_ms)
{
    Transaction tx(m_db);
    Statement st(m_db, kPurge);
    st.bind(1, older_than_ms).run();
    const int n = m_db.changes();
    tx.commit();
    return n;
}

void ConversationStore::touch(int64_t conversation_id, int64_t now)
{
    Statement st(m_db, kTouch);
    st.bind(1, conversation_id).bind(2, now).run();
}

int64_t ConversationStore::add_message(const Message& m)
{
    Transaction tx(m_db);
    const int64_t now = m.created_at ? m.created_at : now_ms();
    Statement st(m_db, kInsertMessage);
    st.bind(1, m.conversation_id).bind(2, m.parent_id).bind(3, std::string_view(m.role)).bind(4, std::string_view(m.content));
    st.bind(5, now).bind(6, std::string_view(m.model)).bind(7, int64_t(m.prompt_tokens)).bind(8, int64_t(m.generated_tokens));
    st.bind(9, m.tokens_per_second).bind(10, std::string_view(m.stop_reason));
    st.run();
    const int64_t id = m_db.last_insert_rowid();
    Statement leaf(m_db, kSetLeaf);
    leaf.bind(1, m.conversation_id).bind(2, id).run();
    touch(m.conversation_id, now);
    tx.commit();
    return id;
}

void ConversationStore::update_message(const Message& m)
{
    Transaction tx(m_db);
    Statement st(m_db, kUpdateMessage);
    st.bind(1, m.id).bind(2, std::string_view(m.content)).bind(3, std::string_view(m.model));
    st.bind(4, int64_t(m.prompt_tokens)).bind(5, int64_t(m.generated_tokens)).bind(6, m.tokens_per_second);
    st.bind(7, std::string_view(m.stop_reason));
    st.run();
    Statement(m_db, kDropDraft).bind(1, m.id).run();
    touch(m.conversation_id, now_ms());
    tx.commit();
}

void ConversationStore::save_draft(int64_t message_id, std::string_view content)
{
    Statement(m_db, kSaveDraft).bind(1, message_id).bind(2, content).run();
}

std::optional<Message> ConversationStore::message(int64_t id)
{
    Statement st(m_db, select_message("id = ?1"));
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return read_message(st);
}

std::vector<Message> ConversationStore::branch(int64_t conversation_id, int64_t leaf)
{
    if (leaf == 0) {
        const auto c = conversation(conversation_id);
        if (!c || c->current_leaf == 0)
            return {};
        leaf = c->current_leaf;
    }
    std::vector<Message> path;
    for (int64_t id = leaf; id != 0;) {
        auto m = message(id);
        if (!m || m->conversation_id != conversation_id)
            break;
        id = m->parent_id;
        path.push_back(std::move(*m));
    }
    return {path.rbegin(), path.rend()};
}

std::vector<Message> ConversationStore::siblings(int64_t message_id)
{
    const auto m = message(message_id);
    if (!m)
        return {};
    Statement st(m_db, select_message("conversation_id = ?1 AND IFNULL(parent_id, 0) = ?2 ORDER BY id"));
    st.bind(1, m->conversation_id).bind(2, m->parent_id);
    std::vector<Message> out;
    while (st.step())
        out.push_back(read_message(st));
    return out;
}

std::vector<Message> ConversationStore::all_messages(int64_t conversation_id)
{
    Statement st(m_db, select_message("conversation_id = ?1 ORDER BY id"));
    st.bind(1, conversation_id);
    std::vector<Message> out;
    while (st.step())
        out.push_back(read_message(st));
    return out;
}

int64_t ConversationStore::newest_leaf_under(int64_t message_id)
{
    Statement st(m_db, "SELECT max(id) FROM messages WHERE parent_id = ?1");
    for (int64_t id = message_id;;) {
        st.reset();
        st.bind(1, id);
        if (!st.step() || st.column_is_null(0))
            return id;
        id = st.column_int(0);
    }
}

std::vector<SearchHit> ConversationStore::search(const std::string& query, int limit)
{
    std::vector<SearchHit> out;
    if (query.empty())
        return out;
    if (utf8_length(query) < 3) { // shorter than a trigram: scanned, newest first
        Statement st(m_db, kSearchLike);
        st.bind(1, std::string_view(query)).bind(2, int64_t(limit));
        while (st.step())
            out.push_back({st.column_int(0), st.column_int(1), st.column_text(2), st.column_text(3)});
        return out;
    }
    // As an FTS5 phrase: inner quotes doubled, so any text searches literally.
    std::string phrase = "\"";
    for (char c : query)
        phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
    phrase += "\"";
    // Whole words first, when the query has a letter or digit and nothing from the scripts
    // written without spaces; the trigram index when it has, or when no word matches (part
    // of a word: the user is still typing, or text inside words). Not a word-prefix query:
    // FTS5 merges the doclists of every word a prefix begins, in full, before the first row
    // (100 ms and more for four letters over 100,000 messages); the trigram phrase stops at
    // the newest matches.
    bool word_chars = false, unsegmented = false;
    for (std::size_t i = 0; i < query.size(); ++i) {
        const auto c = static_cast<unsigned char>(query[i]);
        word_chars = word_chars || std::isalnum(c) || c >= 0x80;
        // U+2E80 and up (CJK, kana, ...): lead byte 0xE2 with 0xBA.., or 0xE3 and up
        unsegmented = unsegmented || c >= 0xE3 || (c == 0xE2 && static_cast<unsigned char>(query[i + 1]) >= 0xBA);
    }
    if (word_chars && !unsegmented)
        out = search_index("messages_words", phrase, limit);
    if (out.empty())
        out = search_index("messages_fts", phrase, limit);
    return out;
}

std::vector<SearchHit> ConversationStore::search_index(const char* index, const std::string& match, int limit)
{
    char sql[512];
    std::snprintf(sql, sizeof sql, kSearchIndex, index, index);
    std::vector<SearchHit> out;
    Statement st(m_db, sql);
    st.bind(1, std::string_view(match)).bind(2, int64_t(limit)).bind(3, int64_t(kSearchRanked));
    while (st.step())
        out.push_back({st.column_int(0), st.column_int(1), st.column_text(2), {}});
    if (out.empty())
        return out;
    std::string ids = "[";
    int64_t oldest = out.front().message_id;
    for (const SearchHit& hit : out) {
        ids += (ids.size() > 1 ? "," : "") + std::to_string(hit.message_id);
        oldest = std::min(oldest, hit.message_id);
    }
    ids += "]";
    std::snprintf(sql, sizeof sql, kSearchSnippets, index, index, index);
    Statement snip(m_db, sql);
    snip.bind(1, std::string_view(match)).bind(2, std::string_view(ids)).bind(3, oldest);
    std::size_t found = 0;
    while (found < out.size() && snip.step()) {
        if (snip.column_is_null(1))
            continue;
        const int64_t id = snip.column_int(0);
        for (SearchHit& hit : out)
            if (hit.message_id == id) {
                hit.snippet = snip.column_text(1);
                ++found;
            }
    }
    return out;
}

} // namespace seekbench::storage
