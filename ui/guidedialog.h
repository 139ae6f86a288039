// Help › User Guide (F1): the guide in resources/guide/, built into the app so it works
// offline, shown page by page with its links and pictures (scaled to the window's width).
#pragma once

#include <QDialog>
#include <QTextBrowser>

class GuideBrowser : public QTextBrowser {
    Q_OBJECT
public:
    using QTextBrowser::QTextBrowser;
    QVariant loadResource(int type, const QUrl& name) override;
};

class GuideDialog : public QDialog {
    Q_OBJECT
public:
    explicit GuideDialog(QWidget* parent = nullptr);
    GuideBrowser* browser() const { return m_browser; }
    static QUrl home(); // the contents page, in the app's language when the guide has it

private:
    GuideBrowser* m_browser;
};
