// Conversations and their messages in SQLite: a tree of messages per conversation (edits
// and regenerations branch; `current_leaf` is the branch shown), full-text search over
// every message, export and import as Markdown or JSON. Every write is one transaction;
// a crash or a full disk loses nothing that was committed and leaves no half write.
#pragma once

#include "database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seekbench::storage {

struct Conversation {
    int64_t id = 0;
    std::string title;
    int64_t created_at = 0, updated_at = 0; // milliseconds since the epoch
    bool pinned = false;
    std::string model;          // model file the conversation last used
    std::string system_prompt;
    std::string sampling;       // the app's sampling settings (JSON, not interpreted here)
    int64_t current_leaf = 0;   // 0: no messages yet
    std::string knowledge = "[]"; // names of the knowledge collections it answers from (JSON array)
};

struct Message {
    int64_t id = 0;
    int64_t conversation_id = 0;
    int64_t parent_id = 0;      // 0: the first message
    std::string role;           // "system", "user", "assistant"
    std::string content;
    int64_t created_at = 0;
    std::string model;
    int prompt_tokens = 0, generated_tokens = 0;
    double tokens_per_second = 0;
    std::string stop_reason;    // "eos", "length", "cancelled", "error", ""
    std::string sources;        // a question's retrieved passages (JSON, the app's; "" for none)
};

struct SearchHit {
    int64_t conversation_id = 0, message_id = 0;
    std::string title, snippet; // snippet: text around the match, each match between \x02 and \x03
};

class ConversationStore {
public:
    // Opens (creating if needed) and migrates the database at `path` (":memory:" works).
    // Refuses a file that is not a Seekbench database or is newer than this version knows,
    // without touching it. `read_only` never writes.
    explicit ConversationStore(const std::string& path, bool read_only = false);

    static constexpr int kSchemaVersion = 5;
    int schema_version();
    bool read_only() const { return m_read_only; }

    // Conversations, pinned first, then by last activity. Deleted ones are left out.
    std::vector<Conversation> conversations();
    std::optional<Conversation> conversation(int64_t id);
    int64_t create_conversation(const std::string& title, const std::string& model = "",
                                const std::string& system_prompt = "", const std::string& sampling = "{}");
    void rename(int64_t id, const std::string& title);
    void set_pinned(int64_t id, bool pinned);
    void set_system_prompt(int64_t id, const std::string& system_prompt);
    void set_sampling(int64_t id, const std::string& sampling);
    void set_model(int64_t id, const std::string& model);
    void set_current_leaf(int64_t id, int64_t message_id);
    void set_knowledge(int64_t id, const std::string& knowledge);
    void set_sources(int64_t message_id, const std::string& sources);
    // Deleting hides the conversation until undelete() or purge_deleted(): nothing is lost
    // on a misclick.
    void remove(int64_t id);
    void undelete(int64_t id);
    int purge_deleted(int64_t older_than_ms); // returns how many were removed for good

    // Adds a message under `parent_id` (0 = first) and makes it the current leaf.
    int64_t add_message(const Message& m);
    // Replaces content and statistics of a message (a streamed reply, as it completes), and
    // drops its draft.
    void update_message(const Message& m);
    // A reply still streaming, kept so that a crash loses little of it: one row outside the
    // search indexes (re-indexing a growing reply every few seconds stalled the window for
    // up to 66 ms). message() still returns the last update_message(); opening the database
    // after a crash moves every draft into its message.
    void save_draft(int64_t message_id, std::string_view content);
    std::optional<Message> message(int64_t id);
    // The branch from the first message down to `leaf` (the current leaf when 0).
    std::vector<Message> branch(int64_t conversation_id, int64_t leaf = 0);
    // Messages with the same parent as `message_id`, in creation order (itself included).
    std::vector<Message> siblings(int64_t message_id);
    std::vector<Message> all_messages(int64_t conversation_id);
    // The newest path down from `message_id`: its newest child, that one's newest, ...
    int64_t newest_leaf_under(int64_t message_id);

    // Full-text search, best first among the newest 2,000 matches. Queries of 3 or more
    // characters use the word index (whole words) or, for Chinese and other text without
    // spaces or when no word matches, the trigram index (parts of words); shorter ones scan
    // with LIKE, newest first.
    std::vector<SearchHit> search(const std::string& query, int limit = 50);

    // Markdown: the current branch, readable. JSON: everything (all branches, statistics).
    std::string export_markdown(int64_t conversation_id);
    std::string export_json(int64_t conversation_id);
    // Imports as a new conversation; returns its id. Throws Error (Format) naming the problem
    // for text that is not what export produced.
    int64_t import_json(const std::string& json);
    int64_t import_markdown(const std::string& markdown);

    Database& database() { return m_db; }

private:
    std::vector<SearchHit> search_index(const char* index, const std::string& match, int limit);
    void touch(int64_t conversation_id, int64_t now);
    Conversation read_conversation(Statement& st);
    Message read_message(Statement& st);

    bool m_read_only;
    Database m_db;
};

int64_t now_ms();

} // namespace seekbench::storage
