// Settings a user can change: language (after a restart), theme (at once), engine threads
// and device. Reads AppSettings when opened and writes it back on OK only.
#pragma once

#include <QDialog>

class AppSettings;
class QComboBox;
class QSpinBox;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(AppSettings& settings, QWidget* parent = nullptr);

    QComboBox* languageBox() const { return m_language; }
    QComboBox* themeBox() const { return m_theme; }
    QSpinBox* threadsBox() const { return m_threads; }
    QComboBox* deviceBox() const { return m_device; }

    void accept() override;

private:
    AppSettings& m_settings;
    QComboBox* m_language;
    QComboBox* m_theme;
    QSpinBox* m_threads;
    QComboBox* m_device;
};
