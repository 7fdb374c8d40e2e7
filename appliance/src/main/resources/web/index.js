'use strict';
document.getElementById('save-token').addEventListener('click', () => {
  MedEdge.setToken(document.getElementById('token').value);
  document.getElementById('token-state').textContent = MedEdge.token() ? 'token set for this tab' : 'no token';
});
document.getElementById('token-state').textContent = MedEdge.token() ? 'token set for this tab' : 'no token';
