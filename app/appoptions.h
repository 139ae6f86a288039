// The desktop app's command line: what a user, a test or a packager can ask for at start.
// Parsing is separate from main() so tests can feed it argument lists.
#pragma once

#include <QString>
#include <QStringList>

struct AppOptions {
    QString dataDir;      // all state under here instead of the XDG dirs ("" = XDG)
    QString modelPath;    // a GGUF file to open at start ("" = none)
    QString language;     // a locale name such as "zh_CN" ("" = settings, then system)
    QString selfTestDir;  // run the self-test, write PNGs here, exit ("" = normal start)
    int streamBenchRuns = 0; // > 0: time replies in the app against seekbench-cli, then exit
};

struct AppOptionsResult {
    enum class Action { Run, Exit };
    Action action = Action::Run;
    int exitCode = 0;     // when action is Exit
    QString message;      // help, version or the error, to print before exiting
    AppOptions options;
};

// `arguments` includes the program name first, as QCoreApplication::arguments() does.
AppOptionsResult parseAppOptions(const QStringList& arguments);
