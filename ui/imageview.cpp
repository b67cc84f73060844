#include "imageview.h"

#include <QPainter>

namespace rppg {

ImageView::ImageView(QWidget *parent)
    : QWidget(parent)
{
    setMinimumSize(120, 90);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage &image)
{
    m_image = image;
    update();
}

void ImageView::setFaceBox(const QRectF &box) { m_faceBox = box; update(); }
void ImageView::setRegionBox(const QRect &box) { m_regionBox = box; update(); }

void ImageView::setOverlay(const QImage &overlay, const QRect &placement)
{
    m_overlay = overlay;
    m_overlayRect = placement;
    update();
}

void ImageView::setOverlayOpacity(double opacity) { m_opacity = std::clamp(opacity, 0.0, 1.0); update(); }
void ImageView::setOverlayVisible(bool visible) { m_overlayVisible = visible; update(); }
void ImageView::setPlaceholder(const QString &text) { m_placeholder = text; update(); }
void ImageView::setCaption(const QString &text) { m_caption = text; update(); }

void ImageView::clear()
{
    m_image = QImage();
    m_overlay = QImage();
    m_faceBox = QRectF();
    m_regionBox = QRect();
    update();
}

QSize ImageView::sizeHint() const
{
    return {400, 300};
}

void ImageView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base).darker(m_image.isNull() ? 100 : 115));
    if (m_image.isNull()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    // Fit the picture; the transform maps picture pixels to widget coordinates, so the marks
    // stay aligned at any size and device pixel ratio.
    const QSizeF img = m_image.size();
    const double scale = std::min(width() / img.width(), height() / img.height());
    const QSizeF shown = img * scale;
    const QPointF origin((width() - shown.width()) / 2, (height() - shown.height()) / 2);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.setRenderHint(QPainter::Antialiasing);
    p.save();
    p.translate(origin);
    p.scale(scale, scale);
    p.drawImage(QPointF(0, 0), m_image);
    if (m_overlayVisible && !m_overlay.isNull() && m_overlayRect.isValid()) {
        p.setOpacity(m_opacity);
        p.drawImage(QRectF(m_overlayRect), m_overlay);
        p.setOpacity(1.0);
    }
    p.restore();

    auto map = [&](const QRectF &r) {
        return QRectF(origin + r.topLeft() * scale, r.size() * scale);
    };
    if (m_regionBox.isValid()) {
        QPen pen(QColor(80, 200, 255), 1.5, Qt::DashLine);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawRect(map(m_regionBox));
    }
    if (m_faceBox.isValid()) {
        p.setPen(QPen(QColor(60, 220, 90), 2.0));
        p.setBrush(Qt::NoBrush);
        p.drawRect(map(m_faceBox));
    }
    if (!m_caption.isEmpty()) {
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 0.9);
        p.setFont(f);
        const QRect box = p.fontMetrics().boundingRect(m_caption).adjusted(-6, -3, 6, 3);
        const QRect at = box.translated(QPoint(int(origin.x()) + 6, int(origin.y()) + 6) - box.topLeft());
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0, 0, 0, 150));
        p.drawRoundedRect(at, 4, 4);
        p.setPen(Qt::white);
        p.drawText(at, Qt::AlignCenter, m_caption);
    }
}

} // namespace rppg
