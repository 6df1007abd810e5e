// The host page's own script, using the public window.statechat API.
document.getElementById('book').addEventListener('click', () => {
  window.statechat.open();
  window.statechat.emit('booking.requested');
});
const events = document.getElementById('events');
window.statechat.on('say', () => {
  events.dataset.says = String(Number(events.dataset.says) + 1);
});
window.statechat.on('booking.confirmed', (data) => {
  events.textContent = `confirmed ${data.bookingId}`;
});
