// WorkbenchDialog: four tabs of forms over one WorkbenchController; a job started in one tab
// reports into that tab's progress bar and result line, and the other tabs wait for it.
#include "workbenchdialog.h"

#include "profilechart.h"
#include "ui/controllers/workbenchcontroller.h"

#include <QComboBox>
#include <QCursor>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolTip>
#include <QUrl>
#include <QVBoxLayout>
#include <cmath>

namespace {

enum Tab { CompareTab, QuantizeTab, ConvertTab, ProfileTab };

QString documents() { return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation); }

QString modelFilter() { return WorkbenchDialog::tr("GGUF models (*.gguf);;All files (*)"); }

// A line edit with its Browse buttons beside it.
QWidget* pathRow(QLineEdit* edit, std::initializer_list<QPushButton*> buttons)
{
    auto* row = new QWidget;
    auto* h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(edit, 1);
    for (QPushButton* b : buttons)
        h->addWidget(b);
    return row;
}

QPushButton* browseButton(QWidget* parent, QLineEdit* edit, bool save)
{
    auto* b = new QPushButton(save ? WorkbenchDialog::tr("Save As…") : WorkbenchDialog::tr("Browse…"), parent);
    QObject::connect(b, &QPushButton::clicked, parent, [parent, edit, save] {
        const QString start = edit->text().isEmpty() ? documents() : edit->text();
        const QString path = save ? QFileDialog::getSaveFileName(parent, WorkbenchDialog::tr("Save Model"), start, modelFilter())
                                  : QFileDialog::getOpenFileName(parent, WorkbenchDialog::tr("Open Model"), start, modelFilter());
        if (!path.isEmpty())
            edit->setText(save && QFileInfo(path).suffix().isEmpty() ? path + QStringLiteral(".gguf") : path);
    });
    return b;
}

// White at KL <= 0.001 nats to orange-red at >= 1, on a log axis.
QColor klColor(double kl)
{
    const double t = kl <= 1e-3 ? 0 : std::min(1.0, std::log10(kl / 1e-3) / 3.0);
    return QColor::fromRgbF(1.0, 1.0 - 0.55 * t, 1.0 - 0.8 * t);
}

QString shown(const QString& piece)
{
    QString s = piece.toHtmlEscaped();
    s.replace(QLatin1Char('\n'), QStringLiteral("↵<br>"));
    return s.isEmpty() ? QStringLiteral("∅") : s;
}

// A job's page: its form, the start and stop buttons with the progress bar, and the line
// the result (or the reason it failed) is written to.
QLabel* jobPage(QWidget* page, QFormLayout* form, QPushButton* start, QPushButton* stop, QProgressBar* bar)
{
    auto* result = new QLabel(page);
    result->setWordWrap(true);
    result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* row = new QHBoxLayout;
    row->addWidget(start);
    row->addWidget(stop);
    row->addWidget(bar, 1);
    stop->setEnabled(false);
    bar->setRange(0, 1);
    bar->setValue(0);
    auto* v = new QVBoxLayout(page);
    v->addLayout(form);
    v->addLayout(row);
    v->addWidget(result);
    return result;
}

} // namespace

WorkbenchDialog::WorkbenchDialog(WorkbenchController& controller, QWidget* parent)
    : QDialog(parent), m_wb(controller), m_tabs(new QTabWidget(this))
{
    setWindowTitle(tr("Workbench"));
    m_tabs->addTab(buildCompare(), tr("A/B Comparison"));
    m_tabs->addTab(buildQuantize(), tr("Quantize"));
    m_tabs->addTab(buildConvert(), tr("Convert"));
    m_tabs->addTab(buildProfile(), tr("Profile"));
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* v = new QVBoxLayout(this);
    v->addWidget(m_tabs, 1);
    v->addWidget(close);
    resize(900, 640);

    connect(&m_wb, &WorkbenchController::busyChanged, this, &WorkbenchDialog::setBusy);
    connect(&m_wb, &WorkbenchController::progress, this, [this](int done, int total, const QString& what) {
        if (QProgressBar* bar = activeBar()) {
            bar->setRange(0, std::max(1, total));
            bar->setValue(done);
            bar->setFormat(what.isEmpty() ? QStringLiteral("%p%") : QStringLiteral("%p%  ") + what);
        }
    });
    connect(&m_wb, &WorkbenchController::failed, this, [this](const QString& error) {
        if (QLabel* l = activeResult())
            l->setText(tr("Failed: %1").arg(error));
    });
    connect(&m_wb, &WorkbenchController::cancelled, this, [this] {
        if (QLabel* l = activeResult())
            l->setText(tr("Cancelled; nothing was written."));
    });
    connect(&m_wb, &WorkbenchController::compared, this, &WorkbenchDialog::showComparison);
    connect(&m_wb, &WorkbenchController::quantized, m_qResult, &QLabel::setText);
    connect(&m_wb, &WorkbenchController::converted, m_cResult, &QLabel::setText);
    connect(&m_wb, &WorkbenchController::profiled, this, &WorkbenchDialog::showProfile);
    setBusy(m_wb.isBusy());
}

QWidget* WorkbenchDialog::buildCompare()
{
    auto* page = new QWidget;
    m_fileA = new QLineEdit(page);
    m_fileB = new QLineEdit(page);
    m_fileA->setPlaceholderText(tr("The reference, e.g. model-Q8_0.gguf"));
    m_fileB->setPlaceholderText(tr("The file to compare, e.g. model-Q4_K_M.gguf"));
    m_prompt = new QLineEdit(tr("Once upon a time"), page);
    m_tokens = new QSpinBox(page);
    m_tokens->setRange(1, 1024);
    m_tokens->setValue(64);
    auto* form = new QFormLayout;
    form->addRow(tr("File &A:"), pathRow(m_fileA, {browseButton(page, m_fileA, false)}));
    form->addRow(tr("File &B:"), pathRow(m_fileB, {browseButton(page, m_fileB, false)}));
    form->addRow(tr("&Prompt:"), m_prompt);
    form->addRow(tr("&Tokens:"), m_tokens);
    m_compare = new QPushButton(tr("&Compare"), page);
    m_compareStop = new QPushButton(tr("Stop"), page);
    m_compareBar = new QProgressBar(page);
    auto* legend = new QLabel(page);
    QString swatches = tr("Tint: KL divergence of the next-token distributions");
    for (double kl : {0.001, 0.01, 0.1, 1.0})
        swatches += QStringLiteral("  <span style=\"background-color:%1;color:#000\">&nbsp;%2&nbsp;</span>")
                        .arg(klColor(kl).name(), QString::number(kl));
    legend->setText(swatches + QStringLiteral(" ") + tr("nats; <b><u>bold</u></b>: the first token that differs"));
    m_textA = new QTextBrowser(page);
    m_textB = new QTextBrowser(page);
    m_headA = new QLabel(tr("A"), page);
    m_headB = new QLabel(tr("B"), page);
    auto* split = new QSplitter(Qt::Horizontal, page);
    for (auto [head, text, side] : {std::tuple{m_headA, m_textA, 0}, std::tuple{m_headB, m_textB, 1}}) {
        auto* col = new QWidget(split);
        auto* v = new QVBoxLayout(col);
        v->setContentsMargins(0, 0, 0, 0);
        v->addWidget(head);
        v->addWidget(text, 1);
        text->setOpenLinks(false);
        text->setAccessibleName(side == 0 ? tr("Text of file A") : tr("Text of file B"));
        connect(text, &QTextBrowser::highlighted, this, [this, text](const QUrl& url) {
            const QStringList parts = url.toString().split(QLatin1Char(':'));
            if (parts.size() != 2) {
                QToolTip::hideText();
                return;
            }
            QToolTip::showText(QCursor::pos(), tokenTip(parts[0].toInt(), parts[1].toInt()), text);
        });
    }
    m_summary = jobPage(page, form, m_compare, m_compareStop, m_compareBar);
    auto* v = static_cast<QVBoxLayout*>(page->layout());
    v->addWidget(legend);
    v->addWidget(split, 1);
    connect(m_compare, &QPushButton::clicked, this, [this] {
        m_jobTab = CompareTab;
        m_summary->setText(tr("Generating with both files…"));
        m_wb.compare(m_fileA->text(), m_fileB->text(), m_prompt->text(), m_tokens->value());
    });
    connect(m_compareStop, &QPushButton::clicked, &m_wb, &WorkbenchController::cancel);
    return page;
}

QWidget* WorkbenchDialog::buildQuantize()
{
    auto* page = new QWidget;
    m_qIn = new QLineEdit(page);
    m_qIn->setPlaceholderText(tr("An F32, F16 or BF16 GGUF"));
    m_qOut = new QLineEdit(page);
    m_qImatrix = new QLineEdit(page);
    m_qImatrix->setPlaceholderText(tr("Optional: an importance matrix (seekbench-cli imatrix or llama-imatrix)"));
    m_qType = new QComboBox(page);
    m_qType->addItems(WorkbenchController::quantizeTypes());
    m_qType->setCurrentText(QStringLiteral("Q4_K_M"));
    m_qAbout = new QLabel(page);
    auto about = [this] { m_qAbout->setText(WorkbenchController::quantizeAbout(m_qType->currentText())); };
    connect(m_qType, &QComboBox::currentTextChanged, this, about);
    about();
    auto* form = new QFormLayout;
    form->addRow(tr("&Input:"), pathRow(m_qIn, {browseButton(page, m_qIn, false)}));
    form->addRow(tr("&Output:"), pathRow(m_qOut, {browseButton(page, m_qOut, true)}));
    form->addRow(tr("&Type:"), m_qType);
    form->addRow(QString(), m_qAbout);
    form->addRow(tr("I&mportance matrix:"), pathRow(m_qImatrix, {browseButton(page, m_qImatrix, false)}));
    m_qStart = new QPushButton(tr("&Quantize"), page);
    m_qStop = new QPushButton(tr("Cancel"), page);
    m_qBar = new QProgressBar(page);
    m_qResult = jobPage(page, form, m_qStart, m_qStop, m_qBar);
    static_cast<QVBoxLayout*>(page->layout())->addStretch(1);
    connect(m_qStart, &QPushButton::clicked, this, [this] {
        m_jobTab = QuantizeTab;
        m_qResult->clear();
        m_wb.quantize(m_qIn->text(), m_qOut->text(), m_qType->currentText(), m_qImatrix->text());
    });
    connect(m_qStop, &QPushButton::clicked, &m_wb, &WorkbenchController::cancel);
    return page;
}

QWidget* WorkbenchDialog::buildConvert()
{
    auto* page = new QWidget;
    m_cSource = new QLineEdit(page);
    m_cSource->setPlaceholderText(tr("A Hugging Face folder, or a llama2.c model.bin"));
    auto* folder = new QPushButton(tr("Folder…"), page);
    connect(folder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Hugging Face Checkpoint Folder"), documents());
        if (!dir.isEmpty())
            m_cSource->setText(dir);
    });
    auto* file = new QPushButton(tr("File…"), page);
    connect(file, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("llama2.c Checkpoint"), documents());
        if (!path.isEmpty())
            m_cSource->setText(path);
    });
    m_cTokenizer = new QLineEdit(page);
    m_cTokenizer->setPlaceholderText(tr("llama2.c only: its tokenizer.bin"));
    m_cOut = new QLineEdit(page);
    m_cType = new QComboBox(page);
    m_cType->addItem(tr("As the checkpoint (auto)"), QStringLiteral("auto"));
    for (const char* t : {"f32", "f16", "bf16", "q8_0"})
        m_cType->addItem(QString::fromLatin1(t).toUpper(), QString::fromLatin1(t));
    auto* form = new QFormLayout;
    form->addRow(tr("&Source:"), pathRow(m_cSource, {folder, file}));
    form->addRow(tr("To&kenizer:"), pathRow(m_cTokenizer, {browseButton(page, m_cTokenizer, false)}));
    form->addRow(tr("&Output:"), pathRow(m_cOut, {browseButton(page, m_cOut, true)}));
    form->addRow(tr("&Type:"), m_cType);
    m_cStart = new QPushButton(tr("C&onvert"), page);
    m_cStop = new QPushButton(tr("Cancel"), page);
    m_cBar = new QProgressBar(page);
    m_cResult = jobPage(page, form, m_cStart, m_cStop, m_cBar);
    static_cast<QVBoxLayout*>(page->layout())->addStretch(1);
    connect(m_cStart, &QPushButton::clicked, this, [this] {
        m_jobTab = ConvertTab;
        m_cResult->clear();
        m_wb.convert(m_cSource->text(), m_cOut->text(), m_cType->currentData().toString(), m_cTokenizer->text());
    });
    connect(m_cStop, &QPushButton::clicked, &m_wb, &WorkbenchController::cancel);
    return page;
}

QWidget* WorkbenchDialog::buildProfile()
{
    auto* page = new QWidget;
    m_pModel = new QLineEdit(page);
    m_pPrompt = new QSpinBox(page);
    m_pPrompt->setRange(1, 8192);
    m_pPrompt->setValue(128);
    m_pGen = new QSpinBox(page);
    m_pGen->setRange(1, 4096);
    m_pGen->setValue(32);
    auto* form = new QFormLayout;
    form->addRow(tr("&Model:"), pathRow(m_pModel, {browseButton(page, m_pModel, false)}));
    form->addRow(tr("&Prompt tokens:"), m_pPrompt);
    form->addRow(tr("&Generated tokens:"), m_pGen);
    m_pStart = new QPushButton(tr("&Run Profile"), page);
    m_pStop = new QPushButton(tr("Cancel"), page);
    m_pBar = new QProgressBar(page);
    m_pStop->setVisible(false); // a profile is short; it runs to its end
    m_chart = new ProfileChart(page);
    auto* scroll = new QScrollArea(page);
    scroll->setWidget(m_chart);
    scroll->setWidgetResizable(true);
    m_pHead = jobPage(page, form, m_pStart, m_pStop, m_pBar);
    static_cast<QVBoxLayout*>(page->layout())->addWidget(scroll, 1);
    connect(m_pStart, &QPushButton::clicked, this, [this] {
        m_jobTab = ProfileTab;
        m_pHead->setText(tr("Profiling on the CPU…"));
        m_pBar->setRange(0, 0); // busy
        m_wb.profile(m_pModel->text(), m_pPrompt->value(), m_pGen->value());
    });
    return page;
}

QProgressBar* WorkbenchDialog::activeBar() const
{
    switch (m_jobTab) {
    case CompareTab: return m_compareBar;
    case QuantizeTab: return m_qBar;
    case ConvertTab: return m_cBar;
    case ProfileTab: return m_pBar;
    default: return nullptr;
    }
}

QLabel* WorkbenchDialog::activeResult() const
{
    switch (m_jobTab) {
    case CompareTab: return m_summary;
    case QuantizeTab: return m_qResult;
    case ConvertTab: return m_cResult;
    case ProfileTab: return m_pHead;
    default: return nullptr;
    }
}

void WorkbenchDialog::setBusy(bool busy)
{
    for (QPushButton* b : {m_compare, m_qStart, m_cStart, m_pStart})
        b->setEnabled(!busy);
    for (QPushButton* b : {m_compareStop, m_qStop, m_cStop})
        b->setEnabled(busy);
    if (!busy && m_pBar->maximum() == 0)
        m_pBar->setRange(0, 1);
}

QString WorkbenchDialog::tokenTip(int side, int index) const
{
    if (side < 0 || side >= m_tips.size() || index < 0 || index >= m_tips[side].size())
        return {};
    return m_tips[side][index];
}

void WorkbenchDialog::showComparison(const WbComparison& c)
{
    m_headA->setText(tr("A: %1, %2 tokens/s").arg(c.nameA).arg(c.speedA, 0, 'f', 1));
    m_headB->setText(tr("B: %1, %2 tokens/s").arg(c.nameB).arg(c.speedB, 0, 'f', 1));
    m_summary->setText(tr("Mean KL divergence %1 nats; the most likely token agrees at %2% of the positions; %3")
                           .arg(c.meanKl, 0, 'g', 3)
                           .arg(100 * c.top1, 0, 'f', 1)
                           .arg(c.firstDivergence < 0 ? tr("the two texts are the same")
                                                      : tr("the texts part at token %1").arg(c.firstDivergence + 1)));
    m_tips = {{}, {}};
    const QList<WbToken>* sides[2] = {&c.a, &c.b};
    QTextBrowser* views[2] = {m_textA, m_textB};
    for (int s = 0; s < 2; ++s) {
        QString html = QStringLiteral("<div style=\"white-space:pre-wrap\">");
        for (int i = 0; i < sides[s]->size(); ++i) {
            const WbToken& t = (*sides[s])[i];
            const bool parts = i == c.firstDivergence;
            html += QStringLiteral("<a href=\"%1:%2\" style=\"color:#000;background-color:%3;text-decoration:%4;%5\">%6</a>")
                        .arg(s)
                        .arg(i)
                        .arg(klColor(t.kl).name(), parts ? QStringLiteral("underline") : QStringLiteral("none"),
                             parts ? QStringLiteral("font-weight:bold") : QString(), shown(t.text));
            QString tip = tr("<b>%1</b> — KL %2 nats").arg(shown(t.text)).arg(t.kl, 0, 'g', 3);
            tip += QStringLiteral("<table><tr><th>A</th><th></th><th>B</th><th></th></tr>");
            for (int k = 0; k < std::max(t.topA.size(), t.topB.size()); ++k) {
                const auto cell = [k](const QList<WbCandidate>& top) {
                    return k < top.size() ? QStringLiteral("<td>%1</td><td align=right>%2%</td>")
                                                .arg(shown(top[k].text))
                                                .arg(100 * top[k].prob, 0, 'f', 1)
                                          : QStringLiteral("<td></td><td></td>");
                };
                tip += QStringLiteral("<tr>") + cell(t.topA) + cell(t.topB) + QStringLiteral("</tr>");
            }
            m_tips[s].append(tip + QStringLiteral("</table>"));
        }
        views[s]->setHtml(html + QStringLiteral("</div>"));
    }
}

void WorkbenchDialog::showProfile(const WbProfile& p)
{
    m_pHead->setText(tr("%1 on %2; memory read bandwidth %3 GB/s, float multiply-add peak %4 GFLOP/s")
                         .arg(p.name, p.backend)
                         .arg(p.bandwidth, 0, 'f', 1)
                         .arg(p.fmaPeak, 0, 'f', 1));
    m_chart->setProfile(p);
    m_pBar->setRange(0, 1);
    m_pBar->setValue(1);
}
