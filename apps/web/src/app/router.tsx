import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import { AppLayout } from './routes/app-layout';
import { AuthLayout } from './routes/auth-layout';
import { ForgotPasswordRoute } from './routes/forgot-password';
import { HomeRoute } from './routes/home';
import { NotFoundRoute } from './routes/not-found';
import { OAuthAuthorizeRoute } from './routes/oauth-authorize';
import { ResetPasswordRoute } from './routes/reset-password';
import { SettingsRoute } from './routes/settings';
import { SignInRoute } from './routes/sign-in';
import { SignUpRoute } from './routes/sign-up';
import { VerifyEmailRoute } from './routes/verify-email';

/** The app's pages; the api falls back to index.html for exactly these paths' prefixes. */
export const routes: RouteObject[] = [
  {
    element: <AuthLayout />,
    children: [
      { path: '/sign-in', element: <SignInRoute /> },
      { path: '/sign-up', element: <SignUpRoute /> },
      { path: '/forgot-password', element: <ForgotPasswordRoute /> },
    ],
  },
  { path: '/reset-password', element: <ResetPasswordRoute /> },
  { path: '/verify-email', element: <VerifyEmailRoute /> },
  { path: '/oauth/authorize', element: <OAuthAuthorizeRoute /> },
  {
    element: <AppLayout />,
    children: [
      { path: '/', element: <HomeRoute panel="tasks" /> },
      { path: '/tasks', element: <HomeRoute panel="tasks" /> },
      { path: '/chat', element: <HomeRoute panel="chat" /> },
      { path: '/settings', element: <SettingsRoute /> },
    ],
  },
  { path: '*', element: <NotFoundRoute /> },
];

const router = createBrowserRouter(routes);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
