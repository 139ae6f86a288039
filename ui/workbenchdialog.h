// Models › Workbench: the A/B lab (two files of one model generate greedily side by side; the
// first diverging token is marked, every token tinted by the KL divergence between the two
// next-token distributions, both top-5 lists on hover, and a summary), and quantize, convert
// and profile with progress and Cancel. The work runs in WorkbenchController.
#pragma once

#include <QDialog>

class ProfileChart;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTextBrowser;
class WorkbenchController;
struct WbComparison;
struct WbProfile;

class WorkbenchDialog : public QDialog {
    Q_OBJECT
public:
    explicit WorkbenchDialog(WorkbenchController& controller, QWidget* parent = nullptr);

    // For tests and the self-test's screenshots.
    QTabWidget* tabs() const { return m_tabs; }
    QLineEdit* fileA() const { return m_fileA; }
    QLineEdit* fileB() const { return m_fileB; }
    QLineEdit* prompt() const { return m_prompt; }
    QSpinBox* tokens() const { return m_tokens; }
    QPushButton* compareButton() const { return m_compare; }
    QTextBrowser* textA() const { return m_textA; }
    QTextBrowser* textB() const { return m_textB; }
    QLabel* summary() const { return m_summary; }
    QLineEdit* quantizeIn() const { return m_qIn; }
    QLineEdit* quantizeOut() const { return m_qOut; }
    QComboBox* quantizeType() const { return m_qType; }
    QLineEdit* quantizeImatrix() const { return m_qImatrix; }
    QPushButton* quantizeButton() const { return m_qStart; }
    QLabel* quantizeResult() const { return m_qResult; }
    QLineEdit* convertSource() const { return m_cSource; }
    QLineEdit* convertTokenizer() const { return m_cTokenizer; }
    QLineEdit* convertOut() const { return m_cOut; }
    QPushButton* convertButton() const { return m_cStart; }
    QLabel* convertResult() const { return m_cResult; }
    QLineEdit* profileModel() const { return m_pModel; }
    QPushButton* profileButton() const { return m_pStart; }
    ProfileChart* profileChart() const { return m_chart; }
    // The tooltip a token of side 0 (A) or 1 (B) shows: both top-5 lists.
    QString tokenTip(int side, int index) const;

private:
    QWidget* buildCompare();
    QWidget* buildQuantize();
    QWidget* buildConvert();
    QWidget* buildProfile();
    void showComparison(const WbComparison& c);
    void showProfile(const WbProfile& p);
    void setBusy(bool busy);
    QProgressBar* activeBar() const;
    QLabel* activeResult() const;

    WorkbenchController& m_wb;
    QTabWidget* m_tabs;
    QLineEdit *m_fileA, *m_fileB, *m_prompt;
    QSpinBox* m_tokens;
    QPushButton *m_compare, *m_compareStop;
    QProgressBar* m_compareBar;
    QTextBrowser *m_textA, *m_textB;
    QLabel *m_headA, *m_headB, *m_summary;
    QLineEdit *m_qIn, *m_qOut, *m_qImatrix;
    QComboBox* m_qType;
    QLabel *m_qAbout, *m_qResult;
    QPushButton *m_qStart, *m_qStop;
    QProgressBar* m_qBar;
    QLineEdit *m_cSource, *m_cTokenizer, *m_cOut;
    QComboBox* m_cType;
    QPushButton *m_cStart, *m_cStop;
    QProgressBar* m_cBar;
    QLabel* m_cResult;
    QLineEdit* m_pModel;
    QSpinBox *m_pPrompt, *m_pGen;
    QPushButton *m_pStart, *m_pStop;
    QProgressBar* m_pBar;
    QLabel *m_pHead;
    ProfileChart* m_chart;
    int m_jobTab = -1;                    // the tab whose job runs
    QList<QList<QString>> m_tips;         // per side, per token: the tooltip
};
