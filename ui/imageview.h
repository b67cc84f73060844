#pragma once

// A widget that shows one picture scaled to fit (aspect kept, high-DPI aware) with optional
// marks drawn over it: a rectangle (the tracked face), a dashed rectangle (the skin region's
// bounds) and an overlay picture blended at a chosen opacity (skin mask or heat map). Used for
// the input video, the enhanced frames and the skin/attention view.
//
// Thread affinity: GUI thread. Units: coordinates in the picture's pixels; opacity 0..1.

#include <QImage>
#include <QWidget>

namespace rppg {

class ImageView : public QWidget
{
    Q_OBJECT
public:
    explicit ImageView(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    void setFaceBox(const QRectF &box);          // empty = none
    void setRegionBox(const QRect &box);         // empty = none
    void setOverlay(const QImage &overlay, const QRect &placement);   // ARGB32, null = none
    void setOverlayOpacity(double opacity);
    void setOverlayVisible(bool visible);
    void setPlaceholder(const QString &text);    // shown while there is no picture
    void setCaption(const QString &text);        // small text in the top-left corner
    void clear();

    const QImage &image() const { return m_image; }
    const QRectF &faceBox() const { return m_faceBox; }
    const QImage &overlay() const { return m_overlay; }
    const QString &caption() const { return m_caption; }
    bool overlayShown() const { return m_overlayVisible && !m_overlay.isNull(); }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QImage m_image;
    QRectF m_faceBox;
    QRect m_regionBox;
    QImage m_overlay;
    QRect m_overlayRect;
    double m_opacity = 0.5;
    bool m_overlayVisible = true;
    QString m_placeholder;
    QString m_caption;
};

} // namespace rppg
