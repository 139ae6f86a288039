// Everything the main window needs, built the way main() builds it, over a temporary data
// folder: the controllers (tests/app/controllers.h) and, unless asked not to, the window.
#pragma once

#include "../app/controllers.h"
#include "ui/mainwindow.h"

#include <KSyntaxHighlighting/Repository>
#include <memory>

struct AppHarness : Controllers {
    explicit AppHarness(const QString& dataDir, bool withWindow = true) : Controllers(dataDir)
    {
        if (withWindow)
            window = std::make_unique<MainWindow>(settings, models, devices, chat, code, lint, knowledge, server, workbench,
                                                  repository);
    }

    KSyntaxHighlighting::Repository repository;
    std::unique_ptr<MainWindow> window;
};
