// Where Seekbench keeps its state, and the settings users change. With --data-dir every
// file lives under that one folder; otherwise the XDG config and data locations are used.
#pragma once

#include <QByteArray>
#include <QObject>
#include "remoteclient.h"
#include "servercontroller.h"

#include <QSettings>
#include <QString>
#include <QStringList>
#include <memory>

class AppSettings : public QObject {
    Q_OBJECT
public:
    enum class Theme { System, Light, Dark, HighContrast };
    Q_ENUM(Theme)
    enum class Device { Auto, Cpu, Cuda };
    Q_ENUM(Device)

    // dataDir "" = the standard locations. The folder is created if missing.
    explicit AppSettings(const QString& dataDir, QObject* parent = nullptr);
    ~AppSettings() override;

    QString dataDir() const { return m_dataDir; }      // databases, models list, traces
    QString settingsFile() const;                      // the .ini file behind this object
    bool isWritable() const;

    QString language() const;                          // "" = follow the system
    void setLanguage(const QString& locale);
    Theme theme() const;
    void setTheme(Theme theme);
    int threads() const;                               // 0 = one per core
    void setThreads(int threads);
    Device device() const;                             // where models run; applies to the next load
    void setDevice(Device device);
    static QString deviceName(Device device);          // "auto", "cpu", "cuda": the engine's names

    RemoteEndpoint remote() const;                     // the last remote model (never its key)
    void setRemote(const RemoteEndpoint& remote);
    ServerSettings server() const;                     // the Server panel's (never its key)
    void setServer(const ServerSettings& server);
    QString embeddingModel() const;                    // the Knowledge panel's; "" = BM25 alone
    bool welcomeShown() const;                         // the first-run welcome was seen
    void setWelcomeShown(bool shown);
    void setEmbeddingModel(const QString& path);
    QStringList recentModels() const;                  // newest first, at most 10
    void addRecentModel(const QString& path);
    void clearRecentModels();

    QByteArray windowGeometry() const;
    QByteArray windowState() const;
    void setWindowLayout(const QByteArray& geometry, const QByteArray& state);

    void sync();

signals:
    void themeChanged(AppSettings::Theme theme);
    void deviceChanged(AppSettings::Device device);
    void recentModelsChanged();

private:
    QString m_dataDir;
    std::unique_ptr<QSettings> m_settings;
};
