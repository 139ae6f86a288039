// ChatSettingsDialog: a form over SamplingSettings; ranges match what the sampler accepts.
#include "chatsettingsdialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

ChatSettingsDialog::ChatSettingsDialog(const QString& systemPrompt, const SamplingSettings& s, QWidget* parent)
    : QDialog(parent), m_system(new QPlainTextEdit(systemPrompt, this)), m_temperature(new QDoubleSpinBox(this)),
      m_topK(new QSpinBox(this)), m_topP(new QDoubleSpinBox(this)), m_minP(new QDoubleSpinBox(this)),
      m_repeat(new QDoubleSpinBox(this)), m_maxTokens(new QSpinBox(this)), m_seed(new QSpinBox(this))
{
    setWindowTitle(tr("Conversation Settings"));
    m_system->setPlaceholderText(tr("Instructions the model sees before the conversation, e.g. \"Answer briefly.\""));
    m_temperature->setRange(0.0, 2.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setValue(s.temperature);
    m_temperature->setSpecialValueText(tr("0 (always the likeliest word)"));
    m_topK->setRange(0, 1000);
    m_topK->setValue(s.topK);
    m_topK->setSpecialValueText(tr("off"));
    m_topP->setRange(0.01, 1.0); // 0 would keep no token at all
    m_topP->setSingleStep(0.05);
    m_topP->setValue(s.topP);
    m_minP->setRange(0.0, 1.0);
    m_minP->setSingleStep(0.01);
    m_minP->setValue(s.minP);
    m_repeat->setRange(1.0, 2.0);
    m_repeat->setSingleStep(0.05);
    m_repeat->setValue(s.repeatPenalty);
    m_maxTokens->setRange(1, 32768);
    m_maxTokens->setValue(s.maxTokens);
    m_seed->setRange(0, 2147483647);
    m_seed->setValue(static_cast<int>(std::min<quint64>(s.seed, 2147483647)));
    m_seed->setSpecialValueText(tr("random"));

    auto* form = new QFormLayout;
    form->addRow(tr("System prompt:"), m_system);
    form->addRow(tr("Temperature:"), m_temperature);
    form->addRow(tr("Top-k:"), m_topK);
    form->addRow(tr("Top-p:"), m_topP);
    form->addRow(tr("Min-p:"), m_minP);
    form->addRow(tr("Repetition penalty:"), m_repeat);
    form->addRow(tr("Longest reply (tokens):"), m_maxTokens);
    form->addRow(tr("Seed:"), m_seed);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

QString ChatSettingsDialog::systemPrompt() const { return m_system->toPlainText().trimmed(); }

SamplingSettings ChatSettingsDialog::sampling() const
{
    SamplingSettings s;
    s.temperature = m_temperature->value();
    s.topK = m_topK->value();
    s.topP = m_topP->value();
    s.minP = m_minP->value();
    s.repeatPenalty = m_repeat->value();
    s.maxTokens = m_maxTokens->value();
    s.seed = static_cast<quint64>(m_seed->value());
    return s;
}
