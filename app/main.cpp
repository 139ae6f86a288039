// The desktop app's entry point: options, settings, translations, theme, controllers,
// the main window, and the self-test when asked for.
#include "appoptions.h"
#include "selftest.h"
#include "streambench.h"

#include "ui/mainwindow.h"

#include "ui/controllers/appsettings.h"
#include "ui/controllers/chatcontrollers.h"
#include "ui/controllers/codecontroller.h"
#include "ui/controllers/devicecontroller.h"
#include "ui/controllers/enginecontroller.h"
#include "ui/controllers/i18n.h"
#include "ui/controllers/knowledgecontroller.h"
#include "ui/controllers/lintcontroller.h"
#include "ui/controllers/modelcontroller.h"
#include "ui/controllers/servercontroller.h"
#include "ui/controllers/themecontroller.h"
#include "ui/controllers/workbenchcontroller.h"

#include "engine/builtin_model.h"

#include <KSyntaxHighlighting/Repository>

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QIcon>
#include <QTimer>
#include <cstdio>

namespace {

void nameApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("seekbench"));
    QCoreApplication::setOrganizationName(QStringLiteral("seekbench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SEEKBENCH_VERSION));
}

// The language from --language, else the settings, else the system; installs it so that
// --help and everything after it are translated.
void chooseLanguage(QCoreApplication& app, const AppOptions& early, const AppSettings& settings)
{
    QString language = early.language;
    if (language.isEmpty())
        language = settings.language();
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (!installTranslations(app, locale) && !language.isEmpty())
        std::fprintf(stderr, "seekbench: no translation for '%s'; using English\n", qPrintable(language));
}

// --help, --version and a bad option need no window: they are answered with a core
// application, so they work without a display. Returns the exit code, or -1 to go on.
int answerWithoutGui(int argc, char** argv)
{
    QCoreApplication core(argc, argv);
    nameApplication();
    const AppOptionsResult early = parseAppOptions(core.arguments());
    if (early.action != AppOptionsResult::Action::Exit)
        return -1;
    AppSettings settings(early.options.dataDir);
    chooseLanguage(core, early.options, settings);
    const AppOptionsResult parsed = parseAppOptions(core.arguments()); // now translated
    std::fputs(qPrintable(parsed.message), parsed.exitCode == 0 ? stdout : stderr);
    return parsed.exitCode;
}

} // namespace

int main(int argc, char** argv)
{
    if (const int code = answerWithoutGui(argc, argv); code >= 0)
        return code;
    QApplication app(argc, argv);
    nameApplication();
    QApplication::setApplicationDisplayName(QStringLiteral("Seekbench"));
    QApplication::setDesktopFileName(QStringLiteral("io.github.seekbench.Seekbench"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/seekbench.svg")));

    const AppOptionsResult parsed = parseAppOptions(app.arguments());
    AppSettings settings(parsed.options.dataDir);
    chooseLanguage(app, parsed.options, settings);
    AppOptions options = parsed.options;
    // No model asked for: Seekbench's own, so a first start opens a ready chat.
    if (options.modelPath.isEmpty())
        options.modelPath = QString::fromStdString(seekbench::builtin_model_path());
    if (!settings.isWritable())
        std::fprintf(stderr, "seekbench: settings file %s is not writable; changes will not be kept\n",
                     qPrintable(settings.settingsFile()));

    ThemeController theme(app, settings);
    DeviceController devices;
    EngineController engine(settings.threads());
    ModelController models(settings, engine);
    ChatControllers chat(settings, engine, models);
    CodeController code(engine, chat.conversations, chat.turns);
    LintController lint;
    KnowledgeController knowledge(QDir(settings.dataDir()).filePath(QStringLiteral("knowledge.db")));
    chat.turns.setKnowledge(&knowledge);
    // The embedding model is remembered once it opened (one that no longer opens says why in
    // the Knowledge panel at the next start).
    QObject::connect(&knowledge, &KnowledgeController::embeddingModelChanged, &settings,
                     [&settings](const QString& path, const QString&, int, const QString& error) {
                         if (error.isEmpty())
                             settings.setEmbeddingModel(path);
                     });
    if (!settings.embeddingModel().isEmpty())
        knowledge.setEmbeddingModel(settings.embeddingModel());
    ServerController server;
    WorkbenchController workbench;
    KSyntaxHighlighting::Repository repository;
    MainWindow window(settings, models, devices, chat, code, lint, knowledge, server, workbench, repository);
    window.show();
    devices.probe();
    if (!options.modelPath.isEmpty())
        QTimer::singleShot(0, &models, [&models, path = options.modelPath] { models.open(path); });

    std::unique_ptr<SelfTest> selfTest;
    std::unique_ptr<StreamBench> streamBench;
    if (options.streamBenchRuns > 0) {
        streamBench = std::make_unique<StreamBench>(window, models, chat, options);
        QTimer::singleShot(0, streamBench.get(), &StreamBench::run);
    } else if (!options.selfTestDir.isEmpty()) {
        selfTest = std::make_unique<SelfTest>(window, models, devices, chat, theme, options);
        QTimer::singleShot(0, selfTest.get(), &SelfTest::run);
    } else {
        window.showWelcomeIfFirstRun();
    }
    return app.exec();
}
