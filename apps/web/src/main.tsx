import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppProvider } from './app/provider';
import { AppRouter } from './app/router';
import { captureLinkToken, VERIFY_EMAIL_PATH } from './lib/link-token';
import { captureResetToken } from './lib/reset-token';
import './styles/tokens.css';
import './styles/base.css';
import './styles/app.css';

captureResetToken();
captureLinkToken(VERIFY_EMAIL_PATH);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider>
      <AppRouter />
    </AppProvider>
  </StrictMode>,
);
