// What the Code panel asks of the model: code written from an instruction (streamed into the
// editor, only what is inside the answer's code fence), a rewrite of a selection proposed as
// a diff, explanations and tests asked in the chat, and completions at the cursor from the
// model's fill-in-the-middle tokens. Requests go to the engine worker through
// EngineController; typing cancels a completion at once.
#pragma once

#include "chattypes.h"

#include <QObject>
#include <QString>

class ConversationController;
class EngineController;
class TurnController;

// Follows a streamed Markdown answer and hands on only the code of its first fenced block
// (or, when the answer has no fence at all, all of it at the end).
class CodeFence {
public:
    QString feed(const QString& text); // code that became certain
    QString finish();                  // what is left at the end of the answer
    bool sawFence() const { return m_state != State::Searching; }

private:
    enum class State { Searching, InCode, Done };
    State m_state = State::Searching;
    QString m_buffer;  // not yet handed on
    QString m_all;     // the whole answer, for one without a fence
};

class CodeController : public QObject {
    Q_OBJECT
public:
    CodeController(EngineController& engine, ConversationController& conversations, TurnController& turns,
                   QObject* parent = nullptr);

    // Writing code: `context` is the code to rewrite (may be empty). Code streams through
    // codeStreamed; false (with failed) when it cannot start.
    bool generate(const QString& instruction, const QString& language, const QString& context = QString());
    // Rewrites `selection`; the result comes as refactorProposed, for a diff to accept from.
    bool refactor(const QString& selection, const QString& language, const QString& instruction);
    void stop();
    bool isGenerating() const { return m_request != 0; }

    // Chat turns about a selection, in the current conversation.
    bool explain(const QString& selection, const QString& language);
    bool writeTests(const QString& selection, const QString& language);

    // Completion at the cursor. canComplete() says whether the model can (it has FIM tokens).
    bool canComplete() const;
    void complete(const QString& prefix, const QString& suffix);
    void cancelCompletion(); // typing: the request in flight stops before its next token
    bool isCompleting() const { return m_completion != 0; }

signals:
    void codeStreamed(const QString& code);
    void generationFinished(const QString& code, const QString& stopReason);
    void refactorProposed(const QString& original, const QString& proposed);
    void completionStreamed(const QString& text);
    void completionFinished();
    void failed(const QString& message);
    void askedInChat(); // explain / write tests became a turn of the shown conversation

private:
    bool start(const QString& instruction, const QString& language, const QString& context);
    bool askInChat(const QString& task, const QString& selection, const QString& language);

    EngineController& m_engine;
    ConversationController& m_conversations;
    TurnController& m_turns;
    quint64 m_request = 0, m_completion = 0;
    CodeFence m_fence;
    QString m_code;              // the code of the answer so far
    QString m_refactorOriginal;  // set while a rewrite is being written
    bool m_refactoring = false;
};
