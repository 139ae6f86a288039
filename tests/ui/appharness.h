// Everything the main window needs, built the way main() builds it, over a temporary data
// folder: for the ui and app tests.
#pragma once

#include "app/appsettings.h"
#include "app/chatcontroller.h"
#include "app/devicecontroller.h"
#include "app/enginecontroller.h"
#include "app/modelcontroller.h"
#include "ui/mainwindow.h"

#include <KSyntaxHighlighting/Repository>
#include <QSignalSpy>
#include <QTest>
#include <memory>

struct AppHarness {
    explicit AppHarness(const QString& dataDir, bool withWindow = true)
        : settings(dataDir), engine(2), models(settings, engine), chat(settings, engine, models)
    {
        if (withWindow)
            window = std::make_unique<MainWindow>(settings, models, devices, chat, repository);
    }

    // Loads a model and waits for the engine; false (with a test failure message) otherwise.
    bool load(const QString& path)
    {
        QSignalSpy loaded(&models, &ModelController::modelChanged);
        QSignalSpy failed(&models, &ModelController::errorOccurred);
        models.open(path);
        return QTest::qWaitFor([&] { return loaded.count() > 0 || failed.count() > 0; }, 30000) && failed.isEmpty() &&
               !models.currentPath().isEmpty();
    }

    bool waitReply(int ms = 60000)
    {
        return QTest::qWaitFor([this] { return !chat.isGenerating(); }, ms);
    }

    AppSettings settings;
    DeviceController devices;
    EngineController engine;
    ModelController models;
    ChatController chat;
    KSyntaxHighlighting::Repository repository;
    std::unique_ptr<MainWindow> window;
};
