// The controllers as main() builds them, over a temporary data folder, without a window:
// for the app (controller) tests, and under the window for the ui tests.
#pragma once

#include "ui/controllers/appsettings.h"
#include "ui/controllers/chatcontrollers.h"
#include "ui/controllers/codecontroller.h"
#include "ui/controllers/devicecontroller.h"
#include "ui/controllers/enginecontroller.h"
#include "ui/controllers/knowledgecontroller.h"
#include "ui/controllers/lintcontroller.h"
#include "ui/controllers/modelcontroller.h"
#include "ui/controllers/servercontroller.h"
#include "ui/controllers/workbenchcontroller.h"

#include "engine/builtin_model.h"
#include "engine/synth.h"

#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// Seekbench's own model, in the repository: tests that need a real model use it, so a
// fresh clone without ../shared runs them too.
inline QString builtinModel() { return QString::fromStdString(seekbench::builtin_model_path()); }

// Greedy sampling (the same answer every time) for replies of at most `maxTokens`.
inline SamplingSettings greedy(int maxTokens)
{
    SamplingSettings s;
    s.temperature = 0;
    s.maxTokens = maxTokens;
    s.seed = 7;
    return s;
}

// A random-weight llama of about 240 MB: slow enough (about 8 ms a token on a Zen 5 core
// pair, 127 tokens/s) that the GUI thread keeps up with every token, as it does with the
// models people chat with. (At half the layers it ran 565 tokens/s there, and with the other tests beside
// it a reply of 40 tokens once reached the GUI in 7 pieces.)
inline QString writeSlowModel(const QTemporaryDir& dir)
{
    seekbench::SynthPreset p = *seekbench::find_synth_preset("llama-tiny");
    p.name = "llama-slow";
    p.dim = 512, p.n_layers = 16, p.n_heads = 8, p.n_kv_heads = 8, p.hidden_dim = 1536, p.n_vocab = 2048;
    seekbench::SynthOptions o;
    o.type = seekbench::TensorType::F32;
    const QString path = dir.filePath(QStringLiteral("slow.gguf"));
    seekbench::write_synth_model(p, o, path.toStdString());
    return path;
}

struct Controllers {
    explicit Controllers(const QString& dataDir)
        : settings(dataDir), engine(2), models(settings, engine), chat(settings, engine, models),
          code(engine, chat.conversations, chat.turns),
          knowledge(QDir(settings.dataDir()).filePath(QStringLiteral("knowledge.db")))
    {
        chat.turns.setKnowledge(&knowledge);
    }

    // Loads a model and waits for the engine; false (with a test failure message) otherwise.
    // Done is this model current: the one before it going away also says modelChanged (with
    // no path), and under load that can arrive in an event-loop pass of its own.
    bool load(const QString& path)
    {
        QSignalSpy loaded(&models, &ModelController::modelChanged);
        QSignalSpy failed(&models, &ModelController::errorOccurred);
        models.open(path);
        const QString wanted = QFileInfo(path).absoluteFilePath();
        const auto current = [&] {
            return !models.currentPath().isEmpty() && QFileInfo(models.currentPath()).absoluteFilePath() == wanted;
        };
        const bool ok = QTest::qWaitFor([&] { return (loaded.count() > 0 && current()) || failed.count() > 0; }, 30000) &&
                        failed.isEmpty() && current();
        if (!ok)
            qWarning().noquote() << "load" << path << "did not finish:"
                                 << (failed.isEmpty() ? QStringLiteral("no error, current model \"%1\"").arg(models.currentPath())
                                                      : failed.first().at(0).toString());
        return ok;
    }

    bool waitReply(int ms = 60000)
    {
        return QTest::qWaitFor([this] { return !chat.turns.isGenerating(); }, ms);
    }

    AppSettings settings;
    DeviceController devices;
    EngineController engine;
    ModelController models;
    ChatControllers chat;
    CodeController code;
    LintController lint;
    KnowledgeController knowledge;
    ServerController server;
    WorkbenchController workbench;
};
