// AppSettings over one QSettings .ini file, so a --data-dir is a complete, portable profile.
#include "appsettings.h"

#include <QDir>
#include <QStandardPaths>

#include <algorithm>

namespace {
const auto kLanguage = QStringLiteral("ui/language");
const auto kTheme = QStringLiteral("ui/theme");
const auto kGeometry = QStringLiteral("ui/windowGeometry");
const auto kState = QStringLiteral("ui/windowState");
const auto kThreads = QStringLiteral("engine/threads");
const auto kDevice = QStringLiteral("engine/device");
const auto kRecent = QStringLiteral("models/recent");
const auto kEmbeddingModel = QStringLiteral("knowledge/embeddingModel");
const auto kWelcomeShown = QStringLiteral("ui/welcomeShown");
const auto kServerHost = QStringLiteral("server/host");
const auto kRemoteUrl = QStringLiteral("remote/url");
const auto kRemoteModel = QStringLiteral("remote/model");
const auto kServerPort = QStringLiteral("server/port");
const auto kServerSlots = QStringLiteral("server/slots");
constexpr int kMaxRecent = 10;
} // namespace

AppSettings::AppSettings(const QString& dataDir, QObject* parent) : QObject(parent)
{
    QString configDir;
    if (dataDir.isEmpty()) {
        m_dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        configDir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    } else {
        m_dataDir = QDir(dataDir).absolutePath();
        configDir = m_dataDir;
    }
    QDir().mkpath(m_dataDir);
    QDir().mkpath(configDir);
    m_settings = std::make_unique<QSettings>(configDir + QStringLiteral("/seekbench.ini"),
                                             QSettings::IniFormat);
}

AppSettings::~AppSettings() = default;

QString AppSettings::settingsFile() const { return m_settings->fileName(); }

bool AppSettings::isWritable() const { return m_settings->isWritable(); }

QString AppSettings::language() const { return m_settings->value(kLanguage).toString(); }

void AppSettings::setLanguage(const QString& locale) { m_settings->setValue(kLanguage, locale); }

AppSettings::Theme AppSettings::theme() const
{
    const QString value = m_settings->value(kTheme).toString();
    if (value == QLatin1String("light"))
        return Theme::Light;
    if (value == QLatin1String("dark"))
        return Theme::Dark;
    if (value == QLatin1String("high-contrast"))
        return Theme::HighContrast;
    return Theme::System;
}

void AppSettings::setTheme(Theme theme)
{
    static const char* names[] = {"system", "light", "dark", "high-contrast"};
    if (theme == this->theme())
        return;
    m_settings->setValue(kTheme, QLatin1String(names[static_cast<int>(theme)]));
    emit themeChanged(theme);
}

int AppSettings::threads() const { return qMax(0, m_settings->value(kThreads, 0).toInt()); }

void AppSettings::setThreads(int threads) { m_settings->setValue(kThreads, qMax(0, threads)); }

AppSettings::Device AppSettings::device() const
{
    const QString value = m_settings->value(kDevice).toString();
    if (value == QLatin1String("cpu"))
        return Device::Cpu;
    if (value == QLatin1String("cuda"))
        return Device::Cuda;
    return Device::Auto;
}

QString AppSettings::deviceName(Device device)
{
    static const char* names[] = {"auto", "cpu", "cuda"};
    return QLatin1String(names[static_cast<int>(device)]);
}

void AppSettings::setDevice(Device device)
{
    if (device == this->device() && m_settings->contains(kDevice))
        return;
    m_settings->setValue(kDevice, deviceName(device));
    emit deviceChanged(device);
}

QStringList AppSettings::recentModels() const { return m_settings->value(kRecent).toStringList(); }

RemoteEndpoint AppSettings::remote() const
{
    RemoteEndpoint r;
    r.baseUrl = QUrl(m_settings->value(kRemoteUrl, QStringLiteral("http://127.0.0.1:8080/v1")).toString());
    r.model = m_settings->value(kRemoteModel).toString();
    return r;
}

void AppSettings::setRemote(const RemoteEndpoint& remote)
{
    m_settings->setValue(kRemoteUrl, remote.baseUrl.toString());
    m_settings->setValue(kRemoteModel, remote.model);
}

ServerSettings AppSettings::server() const
{
    ServerSettings s;
    s.host = m_settings->value(kServerHost, s.host).toString();
    s.port = std::clamp(m_settings->value(kServerPort, s.port).toInt(), 0, 65535);
    s.slotCount = std::clamp(m_settings->value(kServerSlots, s.slotCount).toInt(), 1, 64);
    return s;
}

void AppSettings::setServer(const ServerSettings& server)
{
    m_settings->setValue(kServerHost, server.host);
    m_settings->setValue(kServerPort, server.port);
    m_settings->setValue(kServerSlots, server.slotCount);
}

QString AppSettings::embeddingModel() const { return m_settings->value(kEmbeddingModel).toString(); }

void AppSettings::setEmbeddingModel(const QString& path)
{
    if (path.isEmpty())
        m_settings->remove(kEmbeddingModel);
    else
        m_settings->setValue(kEmbeddingModel, path);
}

bool AppSettings::welcomeShown() const { return m_settings->value(kWelcomeShown, false).toBool(); }

void AppSettings::setWelcomeShown(bool shown) { m_settings->setValue(kWelcomeShown, shown); }

void AppSettings::addRecentModel(const QString& path)
{
    QStringList list = recentModels();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecent)
        list.removeLast();
    m_settings->setValue(kRecent, list);
    emit recentModelsChanged();
}

void AppSettings::clearRecentModels()
{
    m_settings->remove(kRecent);
    emit recentModelsChanged();
}

QByteArray AppSettings::windowGeometry() const { return m_settings->value(kGeometry).toByteArray(); }

QByteArray AppSettings::windowState() const { return m_settings->value(kState).toByteArray(); }

void AppSettings::setWindowLayout(const QByteArray& geometry, const QByteArray& state)
{
    m_settings->setValue(kGeometry, geometry);
    m_settings->setValue(kState, state);
}

void AppSettings::sync() { m_settings->sync(); }
