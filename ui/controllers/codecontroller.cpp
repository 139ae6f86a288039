// CodeController: code requests are chat turns of their own (a private cache on the engine,
// never stored); explanations and tests are turns of the shown conversation.
#include "codecontroller.h"

#include "conversationcontroller.h"
#include "enginecontroller.h"
#include "turncontroller.h"

namespace {

// The engine's cache for code requests: not a conversation of the store.
constexpr qint64 kCodeConversation = -1;
constexpr int kCodeMaxTokens = 1024;
constexpr qsizetype kCompletionPrefixChars = 6000, kCompletionSuffixChars = 2000;

QString fenced(const QString& code, const QString& language)
{
    return QStringLiteral("```%1\n%2\n```").arg(language.toLower(), code);
}

} // namespace

// --- CodeFence -----------------------------------------------------------------------------------

QString CodeFence::feed(const QString& text)
{
    m_all += text;
    m_buffer += text;
    QString out;
    if (m_state == State::Searching) {
        const qsizetype open = m_buffer.indexOf(QLatin1String("```"));
        if (open < 0)
            return out;
        const qsizetype line_end = m_buffer.indexOf(QLatin1Char('\n'), open);
        if (line_end < 0)
            return out; // the fence's language is still coming
        m_buffer = m_buffer.mid(line_end + 1);
        m_state = State::InCode;
    }
    if (m_state == State::InCode) {
        const qsizetype close = m_buffer.indexOf(QLatin1String("```"));
        if (close >= 0) {
            out = m_buffer.left(close);
            if (out.endsWith(QLatin1Char('\n')))
                out.chop(1); // the newline before the closing fence ends the block, not the code
            m_buffer.clear();
            m_state = State::Done;
            return out;
        }
        // Hold back a last line that could still become the closing fence (up to two
        // backticks so far, or nothing yet after a newline), with the newline before it.
        const qsizetype nl = m_buffer.lastIndexOf(QLatin1Char('\n'));
        const QString tail = nl < 0 ? m_buffer : m_buffer.mid(nl + 1);
        bool could_close = tail.size() < 3;
        for (QChar c : tail)
            could_close = could_close && c == QLatin1Char('`');
        const qsizetype keep_from = could_close ? (nl < 0 ? 0 : nl) : m_buffer.size();
        out = m_buffer.left(keep_from);
        m_buffer = m_buffer.mid(keep_from);
    }
    return out;
}

QString CodeFence::finish()
{
    QString out;
    if (m_state == State::Searching)
        out = m_all.trimmed(); // no fence at all: the answer is the code
    else if (m_state == State::InCode)
        out = m_buffer.endsWith(QLatin1Char('\n')) ? m_buffer.chopped(1) : m_buffer;
    m_buffer.clear();
    m_all.clear();
    m_state = State::Searching;
    return out;
}

// --- CodeController ---------------------------------------------------------------------------------

CodeController::CodeController(EngineController& engine, ConversationController& conversations, TurnController& turns,
                               QObject* parent)
    : QObject(parent), m_engine(engine), m_conversations(conversations), m_turns(turns)
{
    connect(&m_engine, &EngineController::tokenGenerated, this, [this](quint64 id, const QString& text) {
        if (id == m_completion && m_completion != 0) {
            emit completionStreamed(text);
        } else if (id == m_request && m_request != 0) {
            const QString code = m_fence.feed(text);
            if (!code.isEmpty()) {
                m_code += code;
                if (!m_refactoring)
                    emit codeStreamed(code);
            }
        }
    });
    connect(&m_engine, &EngineController::generationFinished, this, [this](const GenerationStats& st) {
        if (st.id == m_completion && m_completion != 0) {
            m_completion = 0;
            emit completionFinished();
        } else if (st.id == m_request && m_request != 0) {
            const QString rest = m_fence.finish();
            m_code += rest;
            if (!m_refactoring && !rest.isEmpty())
                emit codeStreamed(rest);
            m_request = 0;
            const QString code = std::exchange(m_code, QString());
            if (m_refactoring && st.stopReason != QLatin1String("cancelled"))
                emit refactorProposed(m_refactorOriginal, code);
            m_refactoring = false;
            emit generationFinished(code, st.stopReason);
        }
    });
    connect(&m_engine, &EngineController::generationFailed, this, [this](quint64 id, const QString& message) {
        if (id == m_completion && m_completion != 0) {
            m_completion = 0;
            emit completionFinished();
            emit failed(message);
        } else if (id == m_request && m_request != 0) {
            m_request = 0;
            m_refactoring = false;
            m_fence.finish();
            m_code.clear();
            emit failed(message);
        }
    });
}

bool CodeController::start(const QString& instruction, const QString& language, const QString& context)
{
    if (isGenerating()) {
        emit failed(tr("Wait for the code being written, or stop it."));
        return false;
    }
    if (!m_engine.isLoaded()) {
        emit failed(tr("Load a model first: File › Open Model…"));
        return false;
    }
    GenerationRequest r;
    r.conversationId = kCodeConversation;
    r.sampling = m_conversations.sampling();
    r.sampling.temperature = 0.2; // code: close to the likeliest, not creative
    r.sampling.maxTokens = kCodeMaxTokens;
    const QString lang = language.isEmpty() ? tr("the language it is asked in") : language;
    r.turns.append({QStringLiteral("system"),
                    QStringLiteral("You are a programming assistant. Answer with the code only, in one fenced code "
                                   "block (```%1). No explanation before or after it.")
                        .arg(lang)});
    QString message = instruction;
    if (!context.isEmpty())
        message += QStringLiteral("\n\n") + fenced(context, language);
    r.turns.append({QStringLiteral("user"), message});
    m_fence.finish();
    m_code.clear();
    m_request = m_engine.generate(r);
    return true;
}

bool CodeController::generate(const QString& instruction, const QString& language, const QString& context)
{
    if (instruction.trimmed().isEmpty())
        return false;
    m_refactoring = false;
    return start(instruction, language, context);
}

bool CodeController::refactor(const QString& selection, const QString& language, const QString& instruction)
{
    if (selection.trimmed().isEmpty()) {
        emit failed(tr("Select the code to refactor first."));
        return false;
    }
    const QString ask = instruction.trimmed().isEmpty()
                            ? QStringLiteral("Refactor this code: make it clearer and simpler, keep what it does.")
                            : instruction;
    if (!start(ask, language, selection))
        return false;
    m_refactoring = true;
    m_refactorOriginal = selection;
    return true;
}

void CodeController::stop()
{
    if (isGenerating())
        m_engine.stop(m_request);
}

bool CodeController::askInChat(const QString& task, const QString& selection, const QString& language)
{
    if (selection.trimmed().isEmpty()) {
        emit failed(tr("Select some code first."));
        return false;
    }
    if (!m_turns.send(task + QStringLiteral("\n\n") + fenced(selection, language)))
        return false;
    emit askedInChat();
    return true;
}

bool CodeController::explain(const QString& selection, const QString& language)
{
    return askInChat(QStringLiteral("Explain what this code does."), selection, language);
}

bool CodeController::writeTests(const QString& selection, const QString& language)
{
    return askInChat(QStringLiteral("Write unit tests for this code."), selection, language);
}

bool CodeController::canComplete() const { return m_engine.isLoaded() && !m_engine.model().fimFamily.isEmpty(); }

void CodeController::complete(const QString& prefix, const QString& suffix)
{
    cancelCompletion();
    if (!canComplete())
        return;
    // The code nearest the cursor; the engine trims further to the model's context, and
    // tokenizing a whole large file on every pause would cost more than it brings.
    CompletionRequest r;
    r.prefix = prefix.right(kCompletionPrefixChars);
    r.suffix = suffix.left(kCompletionSuffixChars);
    m_completion = m_engine.complete(r);
}

void CodeController::cancelCompletion()
{
    if (m_completion == 0)
        return;
    m_engine.stop(m_completion);
    m_completion = 0; // what still arrives for it is ignored
    emit completionFinished();
}
