// SettingsDialog: a form; combo items carry the stored value as item data.
#include "settingsdialog.h"

#include "ui/controllers/appsettings.h"
#include "ui/controllers/i18n.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

SettingsDialog::SettingsDialog(AppSettings& settings, QWidget* parent)
    : QDialog(parent), m_settings(settings), m_language(new QComboBox(this)),
      m_theme(new QComboBox(this)), m_threads(new QSpinBox(this)), m_device(new QComboBox(this))
{
    setWindowTitle(tr("Configure Seekbench"));

    m_language->addItem(tr("System default"), QString());
    for (const QString& name : availableLanguages()) {
        const QLocale locale(name);
        m_language->addItem(locale.nativeLanguageName() + QStringLiteral(" (") + name +
                                QLatin1Char(')'),
                            name);
    }
    m_language->setCurrentIndex(qMax(0, m_language->findData(settings.language())));

    m_theme->addItem(tr("Follow the system"), int(AppSettings::Theme::System));
    m_theme->addItem(tr("Light"), int(AppSettings::Theme::Light));
    m_theme->addItem(tr("Dark"), int(AppSettings::Theme::Dark));
    m_theme->addItem(tr("High contrast"), int(AppSettings::Theme::HighContrast));
    m_theme->setCurrentIndex(m_theme->findData(int(settings.theme())));

    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("Automatic (%1)").arg(QThread::idealThreadCount()));
    m_threads->setValue(settings.threads());

    m_device->addItem(tr("Automatic (GPU when available)"), int(AppSettings::Device::Auto));
    m_device->addItem(tr("CPU only"), int(AppSettings::Device::Cpu));
    m_device->addItem(tr("CUDA GPU"), int(AppSettings::Device::Cuda));
    m_device->setCurrentIndex(m_device->findData(int(settings.device())));

    auto* form = new QFormLayout;
    form->addRow(tr("&Language:"), m_language);
    auto* restartNote = new QLabel(tr("A new language takes effect when Seekbench restarts."), this);
    restartNote->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(QString(), restartNote);
    form->addRow(tr("&Theme:"), m_theme);
    form->addRow(tr("CPU &threads:"), m_threads);
    form->addRow(tr("&Device:"), m_device);
    auto* dataDir = new QLabel(settings.dataDir(), this);
    dataDir->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Data folder:"), dataDir);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

void SettingsDialog::accept()
{
    m_settings.setLanguage(m_language->currentData().toString());
    m_settings.setTheme(AppSettings::Theme(m_theme->currentData().toInt()));
    m_settings.setThreads(m_threads->value());
    m_settings.setDevice(AppSettings::Device(m_device->currentData().toInt()));
    m_settings.sync();
    QDialog::accept();
}
