// QCommandLineParser setup for the desktop app. Help and errors are returned, not printed,
// so main() decides where they go and tests can read them.
#include "appoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

AppOptionsResult parseAppOptions(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "AppOptions", "Seekbench: chat with local language models and see inside them."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"),
        QCoreApplication::translate("AppOptions",
                                    "Keep all settings and data under <dir> instead of the "
                                    "standard locations."),
        QStringLiteral("dir"));
    const QCommandLineOption model(
        QStringLiteral("model"),
        QCoreApplication::translate("AppOptions", "Open the GGUF model <file> at start."),
        QStringLiteral("file"));
    const QCommandLineOption lang(
        QStringLiteral("lang"),
        QCoreApplication::translate("AppOptions",
                                    "Use the language <locale>, for example en or zh_CN."),
        QStringLiteral("locale"));
    const QCommandLineOption selfTest(
        QStringLiteral("self-test"),
        QCoreApplication::translate("AppOptions",
                                    "Exercise everything the app can do, save one screenshot "
                                    "per panel into <dir>, then exit."),
        QStringLiteral("dir"));
    const QCommandLineOption streamBench(
        QStringLiteral("stream-bench"),
        QCoreApplication::translate("AppOptions",
                                    "Time <runs> replies streamed in the app (Attention and Routing "
                                    "closed, then open) against seekbench-cli's chat with the same "
                                    "model, print both, then exit."),
        QStringLiteral("runs"));
    parser.addOptions({dataDir, model, lang, selfTest, streamBench});
    // What a file manager passes on a double-click (the desktop file's Exec=seekbench %f).
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QCoreApplication::translate("AppOptions", "A GGUF model to open, as with --model."),
                                 QStringLiteral("[model.gguf]"));

    AppOptionsResult result;
    if (!parser.parse(arguments)) {
        result.action = AppOptionsResult::Action::Exit;
        result.exitCode = 2;
        result.message = parser.errorText() + QLatin1Char('\n');
        return result;
    }
    if (parser.isSet(helpOption) || parser.isSet(versionOption)) {
        result.action = AppOptionsResult::Action::Exit;
        result.message = parser.isSet(helpOption)
                             ? parser.helpText()
                             : QCoreApplication::applicationName() + QLatin1Char(' ') +
                                   QCoreApplication::applicationVersion() + QLatin1Char('\n');
        return result;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() > 1 || (files.size() == 1 && parser.isSet(model))) {
        result.action = AppOptionsResult::Action::Exit;
        result.exitCode = 2;
        result.message = QCoreApplication::translate("AppOptions", "Unexpected argument: %1 (one model at a time)\n")
                             .arg(files.size() > 1 ? files.at(1) : files.constFirst());
        return result;
    }
    auto absolute = [](const QString& path) {
        return path.isEmpty() ? path : QFileInfo(path).absoluteFilePath();
    };
    result.options.dataDir = absolute(parser.value(dataDir));
    result.options.modelPath = absolute(files.isEmpty() ? parser.value(model) : files.constFirst());
    result.options.language = parser.value(lang);
    result.options.selfTestDir = absolute(parser.value(selfTest));
    if (parser.isSet(streamBench)) {
        bool ok = false;
        result.options.streamBenchRuns = parser.value(streamBench).toInt(&ok);
        if (!ok || result.options.streamBenchRuns < 1 || result.options.streamBenchRuns > 100) {
            result.action = AppOptionsResult::Action::Exit;
            result.exitCode = 2;
            result.message = QCoreApplication::translate("AppOptions", "--stream-bench needs a number of runs from 1 to 100\n");
        }
    }
    return result;
}
